public import CoreMetrics
public import KimiSwarmCore
public import Logging

/// A ``ChatModel`` that picks a provider and model for each request and falls back along a
/// chain when the chosen one fails.
///
/// ```swift
/// let router = ModelRouter(settings: configuration.router ?? RouterSettings(), registry: registry, logger: logger) { id in
///     try client.provider(id)
/// }
/// print(router.route(request))            // dry run
/// let response = try await router.chat(request)
/// ```
///
/// Choice of the first target, in order: a `request.model` that names a logical model of
/// `router.deployments` (one deployment, by weighted random choice; the others follow as
/// fallbacks); a `request.model` of the form `provider/model` with a known provider; the first
/// rule whose conditions all hold; `router.default`. In the first two cases the rules are
/// bypassed; any other `request.model` (a bare model id) is replaced by the target's model.
/// Targets whose registry context window cannot hold the estimated prompt are skipped up
/// front (targets the registry does not know are kept).
///
/// A failure falls back to the next target of the chain when it is retryable, when the
/// circuit is open (`reason == .circuitOpen`), on any rate limit (a spent quota too), or when
/// the context was too long (then only
/// to targets with a larger registry window); never on invalid-request, auth, content-filter,
/// configuration or budget errors, nor on cancellation. Each fallback is logged at warning
/// level (from, to, category, reason) and counted in
/// `kimiswarm_router_fallbacks_total{from,to,reason}`. When every target of a chain of two or
/// more failed, the last error is thrown with reason `fallbacks_exhausted` and a message
/// listing the targets tried. A stream falls back only before its first event reached the
/// caller. Providers come from `provider`, typically stacks already wrapped in retry,
/// circuit breaker and rate limit layers.
public final class ModelRouter: ChatModel {
    /// The settings the router was built with.
    public let settings: RouterSettings
    /// Models, windows and prices.
    public let registry: ModelRegistry
    /// Where successful calls are accounted, if anywhere.
    public let ledger: CostLedger?
    let planner: RoutePlanner
    let provider: @Sendable (ProviderID) throws -> any LLMProvider
    let logger: Logger
    let metricsFactory: (any MetricsFactory)?

    /// Creates a router.
    ///
    /// - Parameters:
    ///   - settings: Rules, default, deployments and fallback chains.
    ///   - registry: For context windows (and costs, with `ledger`).
    ///   - logger: Fallbacks are logged at warning level.
    ///   - randomSource: For the weighted choice among deployments.
    ///   - ledger: Records the usage and cost of every successful call.
    ///   - metricsFactory: Where the fallback counter goes; the global `MetricsSystem` when `nil`.
    ///   - provider: The provider stack for an id; throws for an unknown one.
    public init(
        settings: RouterSettings,
        registry: ModelRegistry,
        logger: Logger,
        randomSource: any RouterRandomSource = SystemRouterRandomSource(),
        ledger: CostLedger? = nil,
        metricsFactory: (any MetricsFactory)? = nil,
        provider: @escaping @Sendable (ProviderID) throws -> any LLMProvider
    ) {
        self.settings = settings
        self.registry = registry
        self.logger = logger
        self.ledger = ledger
        self.metricsFactory = metricsFactory
        self.provider = provider
        self.planner = RoutePlanner(
            settings: settings, registry: registry, randomSource: randomSource,
            isKnownProvider: { id in (try? provider(id)) != nil })
    }

    /// What the router would do with `request`, without sending anything.
    public func route(_ request: ChatRequest) -> RoutePlan {
        planner.plan(request)
    }

    /// Sends the request to the chosen target, falling back along its chain.
    public func chat(_ request: ChatRequest) async throws -> ChatResponse {
        var cursor = FallbackCursor(plan: route(request), contextWindow: planner.contextWindow)
        while let (target, fallback) = cursor.next() {
            try Task.checkCancellation()
            if let fallback { record(fallback) }
            do {
                let response = try await RouteAttempt.$hasFallback.withValue(cursor.hasMoreTargets) {
                    try await provider(target.provider).chat(Self.request(request, for: target))
                }
                ledger?.record(response)
                return response
            } catch {
                guard cursor.fail(target, with: error) else { throw error }
            }
        }
        throw cursor.exhaustedError()
    }

    /// Streams from the chosen target; falls back only before the first event reached the caller.
    public func chatStream(_ request: ChatRequest) -> ChatStream {
        ChatStream { [self] in
            RouterStreamProducer(router: self, request: request, cursor: FallbackCursor(plan: route(request), contextWindow: planner.contextWindow))
        }
    }

    /// `request` addressed to `target`'s model.
    static func request(_ request: ChatRequest, for target: RouteTarget) -> ChatRequest {
        var addressed = request
        addressed.model = target.model
        return addressed
    }

    /// Logs and counts a fallback.
    func record(_ fallback: FallbackCursor.Fallback) {
        logger.warning(
            "router falling back",
            metadata: [
                "from": "\(fallback.from)", "to": "\(fallback.to)", "category": "\(fallback.category.rawValue)",
                "reason": "\(fallback.reason)",
            ])
        let label = "kimiswarm_router_fallbacks_total"
        let dimensions = [("from", fallback.from.description), ("to", fallback.to.description), ("reason", fallback.reason)]
        if let metricsFactory {
            Counter(label: label, dimensions: dimensions, factory: metricsFactory).increment()
        } else {
            Counter(label: label, dimensions: dimensions).increment()
        }
    }
}
