import KimiSwarmClient
import KimiSwarmCore
import Testing

@Suite("Router: rules, complexity and weighted deployments")
struct RouterRuleTests {
    /// The seed prototype's routing.
    static let settings = RouterSettings(
        rules: [
            RouteRule(conditions: [.complexityAbove(0.8)], destination: .target(target("anthropic/claude-opus-4-5"))),
            RouteRule(conditions: [.contextAbove(100_000)], destination: .target(target("moonshot/kimi-k2.6"))),
            RouteRule(conditions: [.cost(.lowest)], destination: .target(target("together/moonshotai/Kimi-K2-Instruct-0905"))),
            RouteRule(conditions: [.tag("fast")], destination: .target(target("openai/gpt-5-mini"))),
        ],
        defaultDestination: .target(target("azure/gpt-4o")),
        deployments: ["gpt-4o": [
            WeightedTarget(target: target("azure/gpt-4o"), weight: 3), WeightedTarget(target: target("openai/gpt-4o"), weight: 1),
        ]],
        fallbacks: ["azure": [target("anthropic/claude-sonnet-4-5"), target("together/moonshotai/Kimi-K2-Instruct-0905"), target("moonshot/kimi-k2.6")]])

    static func router(_ settings: RouterSettings = RouterRuleTests.settings, registry: ModelRegistry = DefaultModelRegistry.load(), seed: UInt64 = 7) -> ModelRouter {
        let providers: [any LLMProvider] = [ProviderID.anthropic, .moonshot, .together, .openai, .azure].map { StubProvider.answering($0, "ok") }
        return ModelRouter(
            settings: settings, registry: registry, logger: testLogger, randomSource: SeededRouterRandomSource(seed: seed),
            provider: lookup(providers))
    }

    static func request(_ text: String = "Hi", model: String? = nil, options: RequestOptions = RequestOptions()) -> ChatRequest {
        ChatRequest(model: model, messages: [.user(text)], options: options)
    }

    @Test("targets split at the first slash")
    func targetParsing() {
        let parsed = RouteTarget(parsing: "together/moonshotai/Kimi-K2-Instruct-0905")
        #expect(parsed?.provider == .together)
        #expect(parsed?.model == "moonshotai/Kimi-K2-Instruct-0905")
        #expect(parsed?.description == "together/moonshotai/Kimi-K2-Instruct-0905")
        #expect(RouteTarget(parsing: "gpt-4o") == nil)
        #expect(RouteTarget(parsing: "/gpt-4o") == nil)
        #expect(RouteTarget(parsing: "azure/") == nil)
    }

    @Test("each condition picks its target; no match falls to the default")
    func eachCondition() {
        let router = Self.router()
        #expect(router.route(Self.request(options: RequestOptions(complexity: 0.9))).primary == target("anthropic/claude-opus-4-5"))
        #expect(router.route(Self.request(String(repeating: "word ", count: 90_000))).primary == target("moonshot/kimi-k2.6"))
        #expect(router.route(Self.request(options: RequestOptions(costPreference: .lowest))).primary == target("together/moonshotai/Kimi-K2-Instruct-0905"))
        #expect(router.route(Self.request(options: RequestOptions(routeTag: "fast"))).primary == target("openai/gpt-5-mini"))
        let plain = router.route(Self.request())
        #expect(plain.primary == target("azure/gpt-4o"))
        #expect(plain.reason.hasPrefix("default"))
        #expect(plain.ruleIndex == nil)
        #expect(plain.fallbacks == [target("anthropic/claude-sonnet-4-5"), target("together/moonshotai/Kimi-K2-Instruct-0905"), target("moonshot/kimi-k2.6")])
        #expect(router.route(Self.request(options: RequestOptions(costPreference: .quality))).primary == target("azure/gpt-4o"))
        #expect(router.route(Self.request(options: RequestOptions(routeTag: "slow"))).primary == target("azure/gpt-4o"))
    }

    @Test("rules are evaluated in order: the first match wins")
    func order() {
        let plan = Self.router().route(Self.request(options: RequestOptions(routeTag: "fast", costPreference: .lowest, complexity: 0.95)))
        #expect(plan.primary == target("anthropic/claude-opus-4-5"))
        #expect(plan.ruleIndex == 0)
        let second = Self.router().route(Self.request(options: RequestOptions(routeTag: "fast", costPreference: .lowest, complexity: 0.5)))
        #expect(second.primary == target("together/moonshotai/Kimi-K2-Instruct-0905"))
        #expect(second.ruleIndex == 2)
        #expect(second.reason == "rule 3: cost lowest")
    }

    @Test("all conditions of one rule must hold")
    func conjunction() {
        let settings = RouterSettings(
            rules: [RouteRule(conditions: [.tag("fast"), .cost(.lowest)], destination: .target(target("openai/gpt-5-mini")))],
            defaultDestination: .target(target("azure/gpt-4o")))
        let router = Self.router(settings)
        #expect(router.route(Self.request(options: RequestOptions(routeTag: "fast"))).primary == target("azure/gpt-4o"))
        #expect(router.route(Self.request(options: RequestOptions(routeTag: "fast", costPreference: .lowest))).primary == target("openai/gpt-5-mini"))
    }

    @Test("an explicit provider/model or deployment name bypasses the rules; a bare model id does not")
    func explicitModel() {
        let router = Self.router()
        let complex = RequestOptions(complexity: 0.99)
        let explicit = router.route(Self.request(model: "moonshot/kimi-k2.6", options: complex))
        #expect(explicit.primary == target("moonshot/kimi-k2.6"))
        #expect(explicit.ruleIndex == nil)
        let logical = router.route(Self.request(model: "gpt-4o", options: complex))
        #expect(logical.targets.contains(target("azure/gpt-4o")) && logical.targets.contains(target("openai/gpt-4o")))
        #expect(router.route(Self.request(model: "kimi-k2.6", options: complex)).primary == target("anthropic/claude-opus-4-5"))
        // `moonshotai` is not a configured provider: a model id with a slash, routed by rules.
        #expect(router.route(Self.request(model: "moonshotai/Kimi-K2", options: complex)).primary == target("anthropic/claude-opus-4-5"))
    }

    @Test("targets whose window cannot hold the prompt are skipped up front")
    func upFrontSkip() {
        let registry = ModelRegistry(entries: [testEntry("a", "small", window: 1_000), testEntry("b", "large", window: 100_000)])
        let settings = RouterSettings(
            defaultDestination: .target(target("a/small")), fallbacks: ["a": [target("b/large"), target("c/unknown")]])
        let providers: [any LLMProvider] = ["a", "b", "c"].map { StubProvider.answering(ProviderID($0), "ok") }
        let router = ModelRouter(settings: settings, registry: registry, logger: testLogger, provider: lookup(providers))
        let plan = router.route(Self.request(String(repeating: "word ", count: 2_000)))
        #expect(plan.targets == [target("b/large"), target("c/unknown")])
        #expect(plan.skipped.map(\.target) == [target("a/small")])
        #expect(plan.description.contains("skipped a/small"))
    }

    @Test("weighted deployments: 3:1 over 4000 seeded picks")
    func weightedDistribution() {
        let router = Self.router(seed: 42)
        var counts: [RouteTarget: Int] = [:]
        for _ in 0..<4000 {
            let plan = router.route(Self.request(model: "gpt-4o"))
            counts[plan.primary!, default: 0] += 1
            #expect(plan.targets.count >= 2)
        }
        let azure = counts[target("azure/gpt-4o")] ?? 0
        let openai = counts[target("openai/gpt-4o")] ?? 0
        #expect(azure + openai == 4000)
        #expect(abs(azure - 3000) < 120, "azure got \(azure)")
        // Deterministic: the same seed gives the same picks.
        let again = Self.router(seed: 42)
        let first = (0..<50).map { _ in again.route(Self.request(model: "gpt-4o")).primary! }
        let replay = Self.router(seed: 42)
        #expect(first == (0..<50).map { _ in replay.route(Self.request(model: "gpt-4o")).primary! })
    }

    @Test("complexity rises with each feature and the override wins")
    func complexity() {
        let base = ChatRequest(messages: [.user("What time is it?")])
        let low = ComplexityEstimator.score(base)
        var longer = base
        longer.messages = [.user(String(repeating: "Explain this sentence please. ", count: 400))]
        var analytical = base
        analytical.messages = [.user("Design the architecture, analyze the trade-offs and prove it is correct.")]
        var code = base
        code.messages = [.user("What time is it?\n```swift\nlet x = 1\n```\n```\nmore\n```")]
        var tools = base
        tools.tools = (0..<5).map { ToolDefinition(name: "tool\($0)") }
        var deep = base
        deep.messages = Array(repeating: ChatMessage.user("What time is it?"), count: 20)
        var thinking = base
        thinking.thinking = .enabled(budgetTokens: nil)
        for variant in [longer, analytical, code, tools, deep, thinking] {
            #expect(ComplexityEstimator.score(variant) > low)
        }
        var everything = analytical
        everything.messages += longer.messages + code.messages + deep.messages
        everything.tools = tools.tools
        everything.thinking = thinking.thinking
        #expect(ComplexityEstimator.score(everything) > 0.8)
        #expect(ComplexityEstimator.score(everything) <= 1)
        #expect(low >= 0 && low < 0.1)
        var overridden = everything
        overridden.options.complexity = 0.1
        #expect(ComplexityEstimator.score(overridden) == 0.1)
        overridden.options.complexity = 7
        #expect(ComplexityEstimator.score(overridden) == 1)
    }
}
