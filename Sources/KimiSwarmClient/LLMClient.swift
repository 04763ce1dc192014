public import AsyncHTTPClient
public import CoreMetrics
public import Foundation
public import KimiSwarmCore
public import Logging
import Synchronization
public import Tracing

/// The client facade: one API over every configured provider.
///
/// ```swift
/// let client = LLMClient(configuration: configuration, logger: logger)
/// let response = try await client.chat(ChatRequest(messages: [.user("Hello")]))
/// for try await event in client.chatStream(request, provider: .anthropic) { ... }
/// ```
///
/// Providers share one connection pool per process. A model that is not in the registry is
/// passed through as given, with a one-time warning that its cost is unknown; a deprecated
/// model gets a one-time warning naming its successor.
public final class LLMClient: ChatModel {
    /// The settings the client was built with.
    public let configuration: KimiSwarmConfiguration
    /// Models, prices and capabilities.
    public let registry: ModelRegistry
    /// Running statistics of every provider call this client made.
    public let statistics: ClientStatistics
    /// The bare providers, without layers (health checks talk to them directly).
    private let bareProviders: [ProviderID: any LLMProvider]
    /// Each provider wrapped in the client's layers; every call goes through these.
    private let providers: [ProviderID: any LLMProvider]
    /// Each provider's circuit breaker layer, for health checks.
    private let circuitBreakers: [ProviderID: CircuitBreakerLayer]
    /// The response cache shared by every provider stack, when caching is on.
    public let cache: ResponseCache?
    /// The router over the provider stacks, when the configuration has `router:` rules.
    public let router: ModelRouter?
    private let logger: Logger
    private let warned = Mutex<Set<String>>([])

    /// Creates a client for every provider in `configuration`, each wrapped in the client's
    /// layers. `clock`, `metrics` and `tracer` default to the real clock and the
    /// process-wide metrics and tracing backends; tests inject their own.
    public convenience init(
        configuration: KimiSwarmConfiguration,
        registry: ModelRegistry,
        logger: Logger,
        httpClient: HTTPClient? = nil,
        cache: ResponseCache? = nil,
        clock: any SwarmClock = SystemClock(),
        metrics: (any MetricsFactory)? = nil,
        tracer: (any Tracer)? = nil
    ) {
        var bare: [any LLMProvider] = []
        for (id, settings) in configuration.providers {
            let client = httpClient ?? SharedHTTPClient.client(connectTimeout: settings.connectTimeout)
            var providerLogger = logger
            providerLogger[metadataKey: "provider"] = "\(id)"
            bare.append(Self.makeProvider(settings, registry: registry, httpClient: client, logger: providerLogger))
        }
        self.init(
            configuration: configuration, registry: registry, providers: bare, logger: logger, cache: cache, clock: clock,
            metrics: metrics, tracer: tracer)
    }

    /// Creates a client whose response cache keeps its persistent tier (L2) in `persistentStore`
    /// (the store's database: `DatabaseResponseCache` in the platform module); the
    /// configuration's `cache.enabled` and `cache.persistent` still decide whether there is a
    /// cache and a persistent tier (`nil`: the in-memory tier only).
    public static func make(
        configuration: KimiSwarmConfiguration,
        registry: ModelRegistry,
        logger: Logger,
        persistentStore: (any ResponseCacheStore)?,
        clock: any SwarmClock = SystemClock(),
        metrics: (any MetricsFactory)? = nil,
        tracer: (any Tracer)? = nil
    ) -> LLMClient {
        let metricsFactory: (any MetricsFactory)? = configuration.observability.metricsEnabled ? metrics : NOOPMetricsHandler.instance
        let cache = configuration.cache.enabled
            ? ResponseCache(
                settings: configuration.cache, store: configuration.cache.persistent ? persistentStore : nil, clock: clock, logger: logger,
                metricsFactory: metricsFactory)
            : nil
        return LLMClient(
            configuration: configuration, registry: registry, logger: logger, cache: cache, clock: clock, metrics: metrics, tracer: tracer)
    }

    /// Creates a client over explicit bare providers (for tests and custom stacks), each
    /// wrapped in the client's layers.
    public init(
        configuration: KimiSwarmConfiguration,
        registry: ModelRegistry,
        providers: [any LLMProvider],
        logger: Logger,
        cache: ResponseCache? = nil,
        clock: any SwarmClock = SystemClock(),
        metrics: (any MetricsFactory)? = nil,
        tracer: (any Tracer)? = nil
    ) {
        self.configuration = configuration
        self.cache = cache
        self.registry = registry
        self.logger = logger
        let statistics = ClientStatistics()
        self.statistics = statistics
        let bare = Dictionary(providers.map { ($0.configuration.id, $0) }, uniquingKeysWith: { _, last in last })
        self.bareProviders = bare
        let pricing = CostCalculator(registry: registry)
        // `metrics_enabled: false` keeps the statistics behind metrics() but exports nothing.
        let metrics: (any MetricsFactory)? = configuration.observability.metricsEnabled ? metrics : NOOPMetricsHandler.instance
        // Per provider, outermost first: Cache → Retry → CircuitBreaker → RateLimit →
        // Observability → provider. The README's "Layer order" says why.
        let budget = RetryBudget(settings: configuration.retry, clock: clock)
        var stacks: [ProviderID: any LLMProvider] = [:]
        var circuits: [ProviderID: CircuitBreakerLayer] = [:]
        for (id, provider) in bare {
            let observed = ObservabilityLayer(
                provider, statistics: statistics, cost: { pricing.cost(provider: $0, model: $1, usage: $2) }, logger: logger,
                clock: clock, metrics: metrics, tracer: tracer)
            let resilient = ResilienceStack.build(
                observed, configuration: configuration, budget: budget, clock: clock, logger: logger, metrics: metrics)
            circuits[id] = resilient.circuitBreaker
            stacks[id] = cache.map { CacheLayer(wrapping: resilient.provider, cache: $0) } ?? resilient.provider
        }
        let layered = stacks
        self.providers = layered
        self.circuitBreakers = circuits
        if let settings = configuration.router, !settings.rules.isEmpty || settings.defaultDestination != nil {
            for warning in settings.registryWarnings(registry) { logger.warning("\(warning)") }
            self.router = ModelRouter(settings: settings, registry: registry, logger: logger, metricsFactory: metrics) { id in
                guard let provider = layered[id] else {
                    throw KimiSwarmError.configuration("the router names provider '\(id)', which is not configured")
                }
                return provider
            }
        } else {
            self.router = nil
        }
    }

    /// The provider type that speaks `settings.kind`.
    public static func makeProvider(
        _ settings: ProviderConfiguration, registry: ModelRegistry, httpClient: HTTPClient, logger: Logger
    ) -> any LLMProvider {
        switch settings.kind {
        case .openAICompatible, .azureOpenAI:
            return OpenAICompatibleProvider(configuration: settings, registry: registry, httpClient: httpClient, logger: logger)
        case .anthropic:
            return AnthropicProvider(configuration: settings, registry: registry, httpClient: httpClient, logger: logger)
        }
    }

    /// The provider named `id`, or the default provider.
    public func provider(_ id: ProviderID? = nil) throws(KimiSwarmError) -> any LLMProvider {
        let id = id ?? configuration.defaultProvider
        guard let provider = providers[id] else {
            let known = providers.keys.sorted().map(\.rawValue).joined(separator: ", ")
            throw .configuration("unknown provider '\(id)'", hint: "Use one of: \(known).")
        }
        return provider
    }

    /// Sends a chat request: through the router when the configuration has one, else to the
    /// default provider.
    public func chat(_ request: ChatRequest) async throws -> ChatResponse {
        try await chat(request, provider: nil)
    }

    /// Sends a chat request to `provider`; when `nil`, through the router if there is one,
    /// else to the default provider.
    public func chat(_ request: ChatRequest, provider id: ProviderID?) async throws -> ChatResponse {
        if id == nil, let router { return try await router.chat(request) }
        let provider = try provider(id)
        checkModel(request.model, provider: provider.configuration)
        return try await provider.chat(request)
    }

    /// Streams a chat request: through the router when there is one, else from the default provider.
    public func chatStream(_ request: ChatRequest) -> ChatStream {
        chatStream(request, provider: nil)
    }

    /// Streams a chat request from `provider`; when `nil`, through the router if there is
    /// one, else from the default provider.
    public func chatStream(_ request: ChatRequest, provider id: ProviderID?) -> ChatStream {
        if id == nil, let router { return router.chatStream(request) }
        do {
            let provider = try provider(id)
            checkModel(request.model, provider: provider.configuration)
            return provider.chatStream(request)
        } catch {
            return .failing(error)
        }
    }

    /// Embeds texts with `provider` (the default provider when `nil`).
    public func embed(_ request: EmbeddingRequest, provider id: ProviderID? = nil) async throws -> EmbeddingResponse {
        try await provider(id).embed(request)
    }

    /// The models `provider`'s API lists right now.
    public func models(provider id: ProviderID? = nil) async throws -> [ProviderModel] {
        try await provider(id).listModels()
    }

    /// The exact cost in US dollars of a response, or `nil` when its model's prices are unknown.
    public func cost(of response: ChatResponse) -> Decimal? {
        cost(provider: response.provider, model: response.model, usage: response.usage)
    }

    /// The exact cost in US dollars of `usage` on a model, or `nil` when its prices are unknown.
    ///
    /// Providers often answer with a dated snapshot id (`gpt-4o-2024-08-06`); when the exact id
    /// is unknown, the longest registered id that prefixes it is used.
    public func cost(provider: ProviderID, model: String, usage: Usage) -> Decimal? {
        CostCalculator(registry: registry).cost(provider: provider, model: model, usage: usage)
    }

    /// Sends many requests with at most `maxConcurrency` in flight; results come back in
    /// input order, and one failure does not sink the batch.
    public func batchChat(
        _ requests: [ChatRequest], provider id: ProviderID? = nil, maxConcurrency: Int = 8
    ) async -> [Result<ChatResponse, any Error>] {
        var results = [Result<ChatResponse, any Error>?](repeating: nil, count: requests.count)
        await withTaskGroup(of: (Int, Result<ChatResponse, any Error>).self) { group in
            var next = 0
            func submit() {
                let index = next
                let request = requests[index]
                next += 1
                group.addTask {
                    do {
                        return (index, .success(try await self.chat(request, provider: id)))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            while next < min(max(1, maxConcurrency), requests.count) { submit() }
            while let (index, result) = await group.next() {
                results[index] = result
                if next < requests.count { submit() }
            }
        }
        return results.map { $0 ?? .failure(CancellationError()) }
    }

    /// Each configured provider's circuit breakers, by model key, as `closed`, `open` or
    /// `half_open` (read from memory: no call is made).
    public func circuitStates() -> [ProviderID: [String: String]] {
        var states: [ProviderID: [String: String]] = [:]
        for id in bareProviders.keys { states[id] = circuitBreakers[id]?.states().mapValues(\.rawValue) ?? [:] }
        return states
    }

    /// A snapshot of every call so far: counts, latency percentiles, tokens and exact cost.
    public func metrics() -> ClientMetricsSnapshot {
        var snapshot = statistics.snapshot()
        if let statistics = cache?.statistics, statistics.lookups > 0 { snapshot.cacheHitRate = statistics.hitRate }
        return snapshot
    }

    /// Checks each configured provider: asks its model list (a cheap authenticated call)
    /// within `timeout`, and reports reachability, latency and status. Providers without the
    /// key they need are reported as not configured, without a call.
    public func healthCheck(timeout: Duration = .seconds(5)) async -> [ProviderHealth] {
        let providers = bareProviders.values.sorted { $0.configuration.id < $1.configuration.id }
        let circuitBreakers = self.circuitBreakers
        return await withTaskGroup(of: ProviderHealth.self) { group in
            for provider in providers {
                let circuits = circuitBreakers[provider.configuration.id]?.states() ?? [:]
                group.addTask {
                    var health = await ProviderHealth.check(provider, timeout: timeout)
                    health.circuits = circuits.mapValues(\.rawValue)
                    return health
                }
            }
            var results: [ProviderHealth] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.provider < $1.provider }
        }
    }

    private func checkModel(_ requested: String?, provider: ProviderConfiguration) {
        guard let model = requested ?? provider.defaultModel else { return }
        let key = "\(provider.id)/\(model)"
        let firstTime = warned.withLock { $0.insert(key).inserted }
        guard firstTime else { return }
        if let entry = registry.entry(provider: provider.id, model: model) {
            if let deprecation = entry.deprecation {
                logger.warning(
                    "model is deprecated",
                    metadata: ["provider": "\(provider.id)", "model": "\(model)", "deprecation": "\(deprecation.summary)"])
            }
        } else {
            logger.warning(
                "model is not in the registry; passing it through, its cost is unknown",
                metadata: ["provider": "\(provider.id)", "model": "\(model)"])
        }
    }
}
