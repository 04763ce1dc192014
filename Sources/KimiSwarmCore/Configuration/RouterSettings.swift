/// The router's settings: rules evaluated in order (first match wins), a default, logical
/// deployments balanced by weight, and fallback chains. Read from the config file's
/// `router:` and `fallbacks:` sections; `kimiswarm.example.yaml` documents the schema.
public struct RouterSettings: Sendable, Hashable {
    /// Rules, evaluated in order; the first whose conditions all hold picks the destination.
    public var rules: [RouteRule]
    /// Where a request goes when no rule matches.
    public var defaultDestination: RouteDestination?
    /// Logical models (`gpt-4o`) and the weighted deployments that serve them.
    public var deployments: [String: [WeightedTarget]]
    /// Fallback chains, keyed by a target (`azure/gpt-4o`) or by a provider (`azure`); a
    /// target's own chain wins over its provider's.
    public var fallbacks: [String: [RouteTarget]]

    /// Creates router settings.
    public init(
        rules: [RouteRule] = [],
        defaultDestination: RouteDestination? = nil,
        deployments: [String: [WeightedTarget]] = [:],
        fallbacks: [String: [RouteTarget]] = [:]
    ) {
        self.rules = rules
        self.defaultDestination = defaultDestination
        self.deployments = deployments
        self.fallbacks = fallbacks
    }

    /// The fallback chain of `target`: its own, else its provider's, else none.
    public func fallbackChain(for target: RouteTarget) -> [RouteTarget] {
        fallbacks[target.description] ?? fallbacks[target.provider.rawValue] ?? []
    }
}

/// One routing rule: when every condition holds, requests go to `destination`.
public struct RouteRule: Sendable, Hashable {
    /// Conditions that must all hold (an empty list always matches).
    public var conditions: [RouteCondition]
    /// Where matching requests go.
    public var destination: RouteDestination

    /// Creates a rule.
    public init(conditions: [RouteCondition], destination: RouteDestination) {
        self.conditions = conditions
        self.destination = destination
    }
}

/// A condition of a ``RouteRule``.
public enum RouteCondition: Sendable, Hashable {
    /// The request's complexity score (0...1) is above the value (`complexity_above`).
    case complexityAbove(Double)
    /// The estimated prompt tokens are above the value (`context_above`).
    case contextAbove(Int)
    /// The request's `options.costPreference` equals the value (`cost`).
    case cost(CostPreference)
    /// The request's `options.routeTag` equals the value (`tag`).
    case tag(String)
}

/// Where a rule sends a request: one target, or a logical model of ``RouterSettings/deployments``.
public enum RouteDestination: Sendable, Hashable, CustomStringConvertible {
    /// A provider and model.
    case target(RouteTarget)
    /// A logical model name, resolved to one of its deployments by weight.
    case deployment(String)

    public var description: String {
        switch self {
        case .target(let target): target.description
        case .deployment(let name): name
        }
    }
}

/// A provider and one of its models, written `provider/model`. The model id may itself
/// contain `/` (`together/moonshotai/Kimi-K2-Instruct-0905`): the text is split at the first `/`.
public struct RouteTarget: Sendable, Hashable, CustomStringConvertible {
    /// The provider.
    public var provider: ProviderID
    /// The model id sent to the provider.
    public var model: String

    /// Creates a target.
    public init(provider: ProviderID, model: String) {
        self.provider = provider
        self.model = model
    }

    /// Parses `provider/model`; `nil` when either part is empty or there is no `/`.
    public init?(parsing text: String) {
        guard let slash = text.firstIndex(of: "/") else { return nil }
        let provider = text[..<slash]
        let model = text[text.index(after: slash)...]
        guard !provider.isEmpty, !model.isEmpty else { return nil }
        self.init(provider: ProviderID(String(provider)), model: String(model))
    }

    /// `provider/model`.
    public var description: String { "\(provider)/\(model)" }
}

/// One deployment of a logical model and its share of the traffic.
public struct WeightedTarget: Sendable, Hashable {
    /// The deployment.
    public var target: RouteTarget
    /// Its relative weight (1 or more).
    public var weight: Int

    /// Creates a weighted target.
    public init(target: RouteTarget, weight: Int = 1) {
        self.target = target
        self.weight = weight
    }
}
