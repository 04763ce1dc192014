import KimiSwarmCore

/// Turns a request into a ``RoutePlan``: pure apart from the injected random source.
///
/// Choice of the first target, in order:
/// 1. `request.model` names a logical model of `router.deployments` → one of its deployments;
/// 2. `request.model` is `provider/model` with a configured provider → that target;
/// 3. the first rule whose conditions all hold;
/// 4. `router.default`.
///
/// In cases 1 and 2 the rules are bypassed; any other `request.model` (a bare model id) is
/// replaced by the chosen target's model. A deployment pick is followed by the logical
/// model's other deployments (heaviest first), then by the fallback chain of the picked
/// target. Targets whose registry context window cannot hold the estimated prompt are
/// skipped up front; targets the registry does not know are kept.
struct RoutePlanner: Sendable {
    let settings: RouterSettings
    let registry: ModelRegistry
    let randomSource: any RouterRandomSource
    let isKnownProvider: @Sendable (ProviderID) -> Bool

    func plan(_ request: ChatRequest) -> RoutePlan {
        let complexity = ComplexityEstimator.score(request)
        let promptTokens = TokenEstimator.estimatePromptTokens(request)
        let (destination, reason, ruleIndex) = choose(request, complexity: complexity, promptTokens: promptTokens)

        var chain: [RouteTarget] = []
        switch destination {
        case .target(let target)?:
            chain = [target] + settings.fallbackChain(for: target)
        case .deployment(let name)?:
            let deployments = settings.deployments[name] ?? []
            if let picked = pick(deployments) {
                let others = deployments.filter { $0.target != picked }.sorted { $0.weight > $1.weight }.map(\.target)
                chain = [picked] + others + settings.fallbackChain(for: picked)
            }
        case nil:
            break
        }
        var seen: Set<RouteTarget> = []
        chain = chain.filter { seen.insert($0).inserted }

        var targets: [RouteTarget] = []
        var skipped: [RoutePlan.Skip] = []
        for target in chain {
            if let window = contextWindow(target), window < promptTokens {
                skipped.append(.init(target: target, reason: "its context window (\(window) tokens) cannot hold the estimated prompt (\(promptTokens) tokens)"))
            } else {
                targets.append(target)
            }
        }
        return RoutePlan(
            targets: targets, skipped: skipped, reason: reason, ruleIndex: ruleIndex, complexity: complexity,
            estimatedPromptTokens: promptTokens)
    }

    /// The registry's context window of a target (dated snapshots resolve to their base id).
    func contextWindow(_ target: RouteTarget) -> Int? {
        registry.resolvedEntry(provider: target.provider, model: target.model)?.contextWindow
    }

    /// A deployment chosen at random in proportion to the weights.
    func pick(_ deployments: [WeightedTarget]) -> RouteTarget? {
        let total = deployments.reduce(0) { $0 + max(0, $1.weight) }
        guard total > 0 else { return deployments.first?.target }
        var point = randomSource.nextUnit() * Double(total)
        for deployment in deployments where deployment.weight > 0 {
            point -= Double(deployment.weight)
            if point < 0 { return deployment.target }
        }
        return deployments.last { $0.weight > 0 }?.target
    }

    private func choose(
        _ request: ChatRequest, complexity: Double, promptTokens: Int
    ) -> (RouteDestination?, String, Int?) {
        if let model = request.model, !model.isEmpty {
            if settings.deployments[model] != nil {
                return (.deployment(model), "request.model names the deployment '\(model)'", nil)
            }
            if let target = RouteTarget(parsing: model), isKnownProvider(target.provider) {
                return (.target(target), "request.model names the target explicitly", nil)
            }
        }
        for (index, rule) in settings.rules.enumerated()
        where rule.conditions.allSatisfy({ holds($0, request, complexity: complexity, promptTokens: promptTokens) }) {
            let conditions = rule.conditions.map(Self.describe).joined(separator: ", ")
            return (rule.destination, "rule \(index + 1): \(conditions)", index)
        }
        if let fallback = settings.defaultDestination {
            return (fallback, "default (no rule matched)", nil)
        }
        return (nil, "no rule matched and router.default is not set", nil)
    }

    private func holds(_ condition: RouteCondition, _ request: ChatRequest, complexity: Double, promptTokens: Int) -> Bool {
        switch condition {
        case .complexityAbove(let threshold): complexity > threshold
        case .contextAbove(let tokens): promptTokens > tokens
        case .cost(let preference): request.options.costPreference == preference
        case .tag(let tag): request.options.routeTag == tag
        }
    }

    static func describe(_ condition: RouteCondition) -> String {
        switch condition {
        case .complexityAbove(let value): "complexity_above \(value)"
        case .contextAbove(let value): "context_above \(value)"
        case .cost(let preference): "cost \(preference.rawValue)"
        case .tag(let tag): "tag \(tag)"
        }
    }
}
