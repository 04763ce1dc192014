public import Foundation

/// All settings of a KimiSwarm client. Every value has a default; the command line builds
/// one from the environment and the config file, tests build one in code.
public struct KimiSwarmConfiguration: Sendable, Hashable {
    /// The provider used when a request names none (`KIMI_DEFAULT_PROVIDER`).
    public var defaultProvider: ProviderID
    /// Settings per provider; every built-in provider has an entry.
    public var providers: [ProviderID: ProviderConfiguration]
    /// Retry settings (`KIMI_RETRY__*`).
    public var retry: RetrySettings
    /// Circuit breaker settings (`KIMI_CIRCUIT_BREAKER__*`).
    public var circuitBreaker: CircuitBreakerSettings
    /// Rate limit settings (`KIMI_RATE_LIMIT__*`).
    public var rateLimit: RateLimitSettings
    /// Response cache settings (`KIMI_CACHE__*`).
    public var cache: CacheSettings
    /// Logging and metrics settings (`KIMI_OBSERVABILITY__*`).
    public var observability: ObservabilitySettings
    /// A model registry file that overrides and extends the shipped one.
    public var modelsFile: String?
    /// Routing rules, deployments and fallback chains (`router:` and `fallbacks:` in the config file).
    public var router: RouterSettings?
    /// The swarm engine's settings (`swarm.*`, `KIMI_SWARM__*`).
    public var swarm = SwarmSettings()
    /// The platform server's settings (`server.*`, `KIMI_SERVER__*`).
    public var server = ServerSettings()
    /// How budgets price calls (`pricing.*`, `KIMI_PRICING__*`).
    public var pricing = PricingSettings()

    /// Creates a configuration; by default every built-in provider with its built-in settings.
    public init(
        defaultProvider: ProviderID = .moonshot,
        providers: [ProviderID: ProviderConfiguration]? = nil,
        retry: RetrySettings = RetrySettings(),
        circuitBreaker: CircuitBreakerSettings = CircuitBreakerSettings(),
        rateLimit: RateLimitSettings = RateLimitSettings(),
        cache: CacheSettings = CacheSettings(),
        observability: ObservabilitySettings = ObservabilitySettings(),
        modelsFile: String? = nil
    ) {
        self.defaultProvider = defaultProvider
        self.providers =
            providers
            ?? Dictionary(uniqueKeysWithValues: ProviderID.builtIn.compactMap { id in
                ProviderConfiguration.builtIn(id).map { (id, $0) }
            })
        self.retry = retry
        self.circuitBreaker = circuitBreaker
        self.rateLimit = rateLimit
        self.cache = cache
        self.observability = observability
        self.modelsFile = modelsFile
    }

    /// The settings of `id`, or a configuration error that lists the known providers.
    public func provider(_ id: ProviderID) throws(KimiSwarmError) -> ProviderConfiguration {
        guard let provider = providers[id] else {
            let known = providers.keys.sorted().map(\.rawValue).joined(separator: ", ")
            throw .configuration(
                "unknown provider '\(id)'", hint: "Use one of: \(known); or define it under 'providers' in the config file.")
        }
        return provider
    }
}

/// Retries of failed calls.
public struct RetrySettings: Sendable, Hashable {
    /// Attempts per call, the first included (`KIMI_RETRY__MAX_ATTEMPTS`, default 3).
    public var maxAttempts: Int
    /// Backoff before the first retry (`KIMI_RETRY__INITIAL_BACKOFF`, seconds, default 0.5).
    public var initialBackoff: Duration
    /// Longest backoff (`KIMI_RETRY__MAX_BACKOFF`, seconds, default 30).
    public var maxBackoff: Duration
    /// Retries allowed per call over the budget window, as a fraction of the calls made in it
    /// (`KIMI_RETRY__BUDGET_RATIO`, default 0.2: at most 20 % extra load on a failing upstream).
    public var budgetRatio: Double
    /// The sliding window of the retry budget (`KIMI_RETRY__BUDGET_WINDOW`, seconds, default 10).
    public var budgetWindow: Duration
    /// Retries always allowed per budget window, whatever the ratio, so that a lone request still
    /// gets its retries (`KIMI_RETRY__MIN_RETRIES_PER_WINDOW`, default 3; the budget never uses
    /// less than `maxAttempts - 1`).
    public var minRetriesPerWindow: Int
    /// Longest `Retry-After` honoured; a provider asking for more is not retried and its error is
    /// returned at once (`KIMI_RETRY__MAX_RETRY_AFTER`, seconds, default 60).
    public var maxRetryAfter: Duration

    /// Creates retry settings.
    public init(
        maxAttempts: Int = 3,
        initialBackoff: Duration = .milliseconds(500),
        maxBackoff: Duration = .seconds(30),
        budgetRatio: Double = 0.2,
        budgetWindow: Duration = .seconds(10),
        minRetriesPerWindow: Int = 3,
        maxRetryAfter: Duration = .seconds(60)
    ) {
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.budgetRatio = budgetRatio
        self.budgetWindow = budgetWindow
        self.minRetriesPerWindow = minRetriesPerWindow
        self.maxRetryAfter = maxRetryAfter
    }
}

/// The circuit breaker that stops calling a failing provider and model.
public struct CircuitBreakerSettings: Sendable, Hashable {
    /// Consecutive failures that open the circuit (`KIMI_CIRCUIT_BREAKER__FAILURE_THRESHOLD`, default 5).
    public var failureThreshold: Int
    /// Time an open circuit waits before probing (`KIMI_CIRCUIT_BREAKER__RESET_TIMEOUT`, seconds, default 30).
    public var resetTimeout: Duration
    /// Failure rate over ``window`` that opens the circuit once ``minimumCalls`` calls were seen
    /// (`KIMI_CIRCUIT_BREAKER__FAILURE_RATE_THRESHOLD`, 0...1, default 0.5).
    public var failureRateThreshold: Double
    /// The sliding window of the failure rate (`KIMI_CIRCUIT_BREAKER__WINDOW`, seconds, default 60).
    public var window: Duration
    /// Calls in the window before the failure rate counts (`KIMI_CIRCUIT_BREAKER__MINIMUM_CALLS`, default 10).
    public var minimumCalls: Int
    /// Probe calls admitted at once while half-open (`KIMI_CIRCUIT_BREAKER__HALF_OPEN_MAX_PROBES`, default 1).
    public var halfOpenMaxProbes: Int
    /// Successful probes that close a half-open circuit
    /// (`KIMI_CIRCUIT_BREAKER__HALF_OPEN_SUCCESSES_TO_CLOSE`, default 2).
    public var halfOpenSuccessesToClose: Int

    /// Creates circuit breaker settings.
    public init(
        failureThreshold: Int = 5,
        resetTimeout: Duration = .seconds(30),
        failureRateThreshold: Double = 0.5,
        window: Duration = .seconds(60),
        minimumCalls: Int = 10,
        halfOpenMaxProbes: Int = 1,
        halfOpenSuccessesToClose: Int = 2
    ) {
        self.failureThreshold = failureThreshold
        self.resetTimeout = resetTimeout
        self.failureRateThreshold = failureRateThreshold
        self.window = window
        self.minimumCalls = minimumCalls
        self.halfOpenMaxProbes = halfOpenMaxProbes
        self.halfOpenSuccessesToClose = halfOpenSuccessesToClose
    }
}

/// Client-side rate limits: the defaults of every provider (`rate_limit`, `KIMI_RATE_LIMIT__*`),
/// each of which a provider can override with its own (``ProviderConfiguration/rateLimit``,
/// `providers.<name>.rate_limit`, a tier preset among them).
///
/// The defaults do not throttle: no request or token rate limit, and a bulkhead as wide as the
/// shared connection pool, so that a server's gateway and workers, all tenants together, are
/// limited only by what each provider's account allows (set its tier) and by the tenants' own
/// plans and quotas.
public struct RateLimitSettings: Sendable, Hashable {
    /// Requests in flight at once per provider when nothing else says: 512, as many as the shared
    /// connection pool keeps per host.
    public static let defaultMaxConcurrent = 512

    /// Requests per window per provider (`KIMI_RATE_LIMIT__MAX_REQUESTS`; default none: no
    /// request-rate limit).
    public var maxRequests: Int?
    /// The window of ``maxRequests`` (`KIMI_RATE_LIMIT__WINDOW`, seconds, default 60).
    public var window: Duration
    /// Requests in flight at once per provider (`KIMI_RATE_LIMIT__MAX_CONCURRENT`, default
    /// ``defaultMaxConcurrent``).
    public var maxConcurrent: Int
    /// Estimated tokens (prompt plus expected output) per minute per provider
    /// (`KIMI_RATE_LIMIT__MAX_TOKENS_PER_MINUTE`, default none: no token limit).
    public var maxTokensPerMinute: Int?
    /// Longest a call waits for a rate-limit token or a concurrency slot before it fails with a
    /// retryable rate-limit error (`KIMI_RATE_LIMIT__MAX_WAIT`, seconds, default 30).
    public var maxWait: Duration

    /// Creates rate limit settings.
    public init(
        maxRequests: Int? = nil,
        window: Duration = .seconds(60),
        maxConcurrent: Int = RateLimitSettings.defaultMaxConcurrent,
        maxTokensPerMinute: Int? = nil,
        maxWait: Duration = .seconds(30)
    ) {
        self.maxRequests = maxRequests
        self.window = window
        self.maxConcurrent = maxConcurrent
        self.maxTokensPerMinute = maxTokensPerMinute
        self.maxWait = maxWait
    }
}

/// The response cache.
public struct CacheSettings: Sendable, Hashable {
    /// Whether responses are cached (`KIMI_CACHE__ENABLED`, default true).
    public var enabled: Bool
    /// Most entries kept in memory (`KIMI_CACHE__MAX_SIZE`, default 1000).
    public var maxSize: Int
    /// How long an entry lives (`KIMI_CACHE__DEFAULT_TTL`, seconds, default 3600).
    public var defaultTTL: Duration
    /// Most bytes of encoded responses kept in memory (`KIMI_CACHE__MAX_BYTES`, default 64 MiB).
    public var maxBytes: Int
    /// Whether entries are also kept in the store's database, where they survive restarts and
    /// are shared between processes (`KIMI_CACHE__PERSISTENT`, default true).
    public var persistent: Bool

    /// Creates cache settings.
    public init(
        enabled: Bool = true,
        maxSize: Int = 1000,
        defaultTTL: Duration = .seconds(3600),
        maxBytes: Int = 64 * 1024 * 1024,
        persistent: Bool = true
    ) {
        self.enabled = enabled
        self.maxSize = maxSize
        self.defaultTTL = defaultTTL
        self.maxBytes = maxBytes
        self.persistent = persistent
    }
}

/// Logs and metrics.
public struct ObservabilitySettings: Sendable, Hashable {
    /// Log levels, from most to least verbose.
    public enum LogLevel: String, Sendable, Hashable, CaseIterable {
        case trace, debug, info, notice, warning, error, critical
    }

    /// Log line formats.
    public enum LogFormat: String, Sendable, Hashable, CaseIterable {
        /// Human-readable lines.
        case text
        /// One JSON object per line.
        case json
    }

    /// Lowest level logged (`KIMI_OBSERVABILITY__LOG_LEVEL`); `nil` when not set, for each
    /// command's own default (info for `swarm serve` and `swarm worker`, warning for the
    /// others, which print answers). A level that is set applies to every command.
    public var logLevel: LogLevel?
    /// Line format (`KIMI_OBSERVABILITY__LOG_FORMAT`, default text).
    public var logFormat: LogFormat
    /// Whether metrics are collected (`KIMI_OBSERVABILITY__METRICS_ENABLED`, default true).
    public var metricsEnabled: Bool

    /// Creates observability settings.
    public init(logLevel: LogLevel? = nil, logFormat: LogFormat = .text, metricsEnabled: Bool = true) {
        self.logLevel = logLevel
        self.logFormat = logFormat
        self.metricsEnabled = metricsEnabled
    }
}

/// How budget and quota reservations price calls (`pricing.*`, `KIMI_PRICING__*`).
public struct PricingSettings: Sendable, Hashable {
    /// The price, in US dollars per million tokens of input or output, that a reservation
    /// assumes for a model the registry has no price for (`pricing.unpriced_ceiling_per_million`).
    /// `nil` (the default): such a call reserves nothing, as it is billed nothing.
    public var unpricedCeilingPerMillion: Decimal?

    /// Creates settings.
    public init(unpricedCeilingPerMillion: Decimal? = nil) {
        self.unpricedCeilingPerMillion = unpricedCeilingPerMillion
    }

    /// The price a reservation assumes for an unpriced model, if any.
    public var unpricedCeiling: ModelPricing? {
        unpricedCeilingPerMillion.map { ModelPricing(inputPerMillion: $0, outputPerMillion: $0) }
    }
}

/// The swarm engine's settings.
public struct SwarmSettings: Sendable, Hashable {
    /// The model for templates of the `fast` tier (`swarm.model_fast`); unset falls back to the
    /// next tier, then to the provider's default model.
    public var modelFast: String?
    /// The model for the `balanced` tier (`swarm.model_balanced`).
    public var modelBalanced: String?
    /// The model for the `deep` tier (`swarm.model_deep`).
    public var modelDeep: String?
    /// The model for planning and synthesis (`swarm.model_planner`; the deep tier's when unset).
    public var modelPlanner: String?
    /// Sub-agents running at once by default (`swarm.concurrency`, 1 to 256, default 16): the
    /// concurrency of a run that does not set its own (`swarm run`, and runs submitted to
    /// `swarm serve`).
    public var concurrency: Int
    /// A folder of the user's own templates (`swarm.templates_dir`).
    public var templatesDirectory: String?

    /// Creates settings.
    public init(
        modelFast: String? = nil, modelBalanced: String? = nil, modelDeep: String? = nil, modelPlanner: String? = nil,
        concurrency: Int = 16, templatesDirectory: String? = nil
    ) {
        self.modelFast = modelFast
        self.modelBalanced = modelBalanced
        self.modelDeep = modelDeep
        self.modelPlanner = modelPlanner
        self.concurrency = concurrency
        self.templatesDirectory = templatesDirectory
    }
}

/// The platform server's settings (`server.*` in the config file, `KIMI_SERVER__*` in the
/// environment); `swarm serve` flags override them.
public struct ServerSettings: Sendable, Hashable {
    /// The address to listen on (`server.host`, default `127.0.0.1`).
    public var host: String
    /// The port (`server.port`, default 8080; 0 picks a free one).
    public var port: Int
    /// Where the embedded database and caches live (`server.data_dir`, default `./.kimiswarm`).
    public var dataDirectory: String
    /// `postgres://...` to use PostgreSQL, or a SQLite file path (`server.database_url`);
    /// unset means `<data_dir>/kimiswarm.sqlite`.
    public var databaseURL: String?
    /// Runs executed at once by this process's workers (`server.workers`, default 4; 0 runs no
    /// worker, for API-only replicas).
    public var workers: Int
    /// The largest request body accepted, in bytes (`server.max_body_bytes`, default 4 MiB).
    public var maxBodyBytes: Int
    /// How long a connection stays open with no request on it (`server.idle_timeout`, default
    /// 60 s): before its first byte, and between a response and the next request; also how
    /// long a request that has begun to arrive may stay silent (then 408).
    public var idleTimeout: Duration
    /// How long a request may take to arrive complete, head and body, from its first byte
    /// (`server.request_timeout`, default 30 s); a slower one is answered 408 and closed.
    public var requestTimeout: Duration
    /// Connections open at once (`server.max_connections`); one more is answered 503 and
    /// closed. `nil` (the default) derives it from the process's open-file limit (the server
    /// module documents how).
    public var maxConnections: Int?
    /// How long a graceful shutdown (SIGTERM, SIGINT) may take (`server.shutdown_timeout`,
    /// default 30 s): then requests and runs still in flight are cancelled, and the process
    /// exits.
    public var shutdownTimeout: Duration

    /// Creates settings; every value has a default.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: String = "./.kimiswarm", databaseURL: String? = nil,
        workers: Int = 4, maxBodyBytes: Int = 4 << 20, idleTimeout: Duration = .seconds(60), requestTimeout: Duration = .seconds(30),
        maxConnections: Int? = nil, shutdownTimeout: Duration = .seconds(30)
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.databaseURL = databaseURL
        self.workers = workers
        self.maxBodyBytes = maxBodyBytes
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.maxConnections = maxConnections
        self.shutdownTimeout = shutdownTimeout
    }
}
