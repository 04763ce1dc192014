/// How KimiSwarm itself handles a request: caching, routing and accounting hints. Never sent
/// to a provider, and never part of a cache key except for the cache scope.
public struct RequestOptions: Codable, Sendable, Hashable {
    /// Whether the response cache may answer or store this request.
    public var cache: CachePolicy
    /// The cache partition (a tenant, later); two scopes never share an entry.
    public var cacheScope: String
    /// An explicit routing tag that router rules can match (`fast`, `long-context`, ...).
    public var routeTag: String?
    /// What the router should favour.
    public var costPreference: CostPreference?
    /// A complexity score in 0...1 that overrides the router's own estimate.
    public var complexity: Double?
    /// Free-form labels carried into logs and traces (never metric labels: unbounded).
    public var labels: [String: String]

    /// Creates options; by default the cache is used in the shared scope.
    public init(
        cache: CachePolicy = .use,
        cacheScope: String = "default",
        routeTag: String? = nil,
        costPreference: CostPreference? = nil,
        complexity: Double? = nil,
        labels: [String: String] = [:]
    ) {
        self.cache = cache
        self.cacheScope = cacheScope
        self.routeTag = routeTag
        self.costPreference = costPreference
        self.complexity = complexity
        self.labels = labels
    }
}

/// Whether the response cache takes part in a request.
public enum CachePolicy: String, Codable, Sendable, Hashable, CaseIterable {
    /// Answer from the cache when possible, store fresh answers.
    case use
    /// Neither read nor write the cache (`--no-cache`).
    case bypass
    /// Do not read, but store the fresh answer.
    case refresh
}

/// What a router should favour when rules leave a choice.
public enum CostPreference: String, Codable, Sendable, Hashable, CaseIterable {
    /// The cheapest model that fits.
    case lowest
    /// The router's default balance.
    case balanced
    /// The most capable model, whatever it costs.
    case quality
}
