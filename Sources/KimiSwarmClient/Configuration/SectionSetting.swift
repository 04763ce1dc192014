import KimiSwarmCore

/// One scalar setting of the sections `retry`, `circuit_breaker`, `rate_limit`, `cache` and
/// `observability`. The same table serves the config file (`retry.max_attempts`) and the
/// environment (`KIMI_RETRY__MAX_ATTEMPTS`), so every setting of the file can also be set
/// from the environment, with the same spellings accepted.
struct SectionSetting {
    /// The section's key in the config file, e.g. `retry`.
    let section: String
    /// The setting's key within the section, e.g. `max_attempts`.
    let key: String
    /// What the value must look like, for messages (`an integer`, `a number of seconds`).
    let expected: String
    /// Parses `text` and stores it in the configuration, or says why it cannot.
    let apply: (String, inout KimiSwarmConfiguration) -> SettingError?

    /// `retry.max_attempts`.
    var path: String { "\(section).\(key)" }

    /// `KIMI_RETRY__MAX_ATTEMPTS`.
    var environmentVariable: String { Self.environmentVariable(section: section, key: key) }

    static func environmentVariable(section: String, key: String) -> String {
        "KIMI_\(section.uppercased())__\(key.uppercased())"
    }

    /// The sections, in the order they are documented.
    static let sections = ["retry", "circuit_breaker", "rate_limit", "cache", "observability", "swarm", "server", "pricing"]

    /// The keys of one section, in the order they are documented.
    static func keys(of section: String) -> [String] {
        all.filter { $0.section == section }.map(\.key)
    }

    /// The setting at `section.key`, if there is one.
    static func named(section: String, key: String) -> SectionSetting? {
        all.first { $0.section == section && $0.key == key }
    }

    /// Every section setting.
    static var all: [SectionSetting] {
        [
            integer("retry", "max_attempts", 1...10) { $0.retry.maxAttempts = $1 },
            seconds("retry", "initial_backoff") { $0.retry.initialBackoff = $1 },
            seconds("retry", "max_backoff") { $0.retry.maxBackoff = $1 },
            fraction("retry", "budget_ratio") { $0.retry.budgetRatio = $1 },
            seconds("retry", "budget_window") { $0.retry.budgetWindow = $1 },
            integer("retry", "min_retries_per_window", 0...1_000_000_000) { $0.retry.minRetriesPerWindow = $1 },
            seconds("retry", "max_retry_after") { $0.retry.maxRetryAfter = $1 },
            integer("circuit_breaker", "failure_threshold", 1...1_000_000_000) { $0.circuitBreaker.failureThreshold = $1 },
            seconds("circuit_breaker", "reset_timeout") { $0.circuitBreaker.resetTimeout = $1 },
            fraction("circuit_breaker", "failure_rate_threshold") { $0.circuitBreaker.failureRateThreshold = $1 },
            seconds("circuit_breaker", "window") { $0.circuitBreaker.window = $1 },
            integer("circuit_breaker", "minimum_calls", 1...1_000_000_000) { $0.circuitBreaker.minimumCalls = $1 },
            integer("circuit_breaker", "half_open_max_probes", 1...1_000_000_000) { $0.circuitBreaker.halfOpenMaxProbes = $1 },
            integer("circuit_breaker", "half_open_successes_to_close", 1...1_000_000_000) {
                $0.circuitBreaker.halfOpenSuccessesToClose = $1
            },
            integer("rate_limit", "max_requests", 1...1_000_000_000) { $0.rateLimit.maxRequests = $1 },
            seconds("rate_limit", "window") { $0.rateLimit.window = $1 },
            integer("rate_limit", "max_concurrent", 1...1000) { $0.rateLimit.maxConcurrent = $1 },
            integer("rate_limit", "max_tokens_per_minute", 1...1_000_000_000) { $0.rateLimit.maxTokensPerMinute = $1 },
            seconds("rate_limit", "max_wait") { $0.rateLimit.maxWait = $1 },
            boolean("cache", "enabled") { $0.cache.enabled = $1 },
            integer("cache", "max_size", 0...1_000_000_000) { $0.cache.maxSize = $1 },
            seconds("cache", "default_ttl") { $0.cache.defaultTTL = $1 },
            integer("cache", "max_bytes", 0...(1 << 40)) { $0.cache.maxBytes = $1 },
            boolean("cache", "persistent") { $0.cache.persistent = $1 },
            parsed("observability", "log_level", "a log level", SettingValue.logLevel) { $0.observability.logLevel = $1 },
            parsed("observability", "log_format", "a log format", SettingValue.logFormat) { $0.observability.logFormat = $1 },
            boolean("observability", "metrics_enabled") { $0.observability.metricsEnabled = $1 },
            parsed("swarm", "model_fast", "a model id", SettingValue.modelID) { $0.swarm.modelFast = $1 },
            parsed("swarm", "model_balanced", "a model id", SettingValue.modelID) { $0.swarm.modelBalanced = $1 },
            parsed("swarm", "model_deep", "a model id", SettingValue.modelID) { $0.swarm.modelDeep = $1 },
            parsed("swarm", "model_planner", "a model id", SettingValue.modelID) { $0.swarm.modelPlanner = $1 },
            integer("swarm", "concurrency", 1...256) { $0.swarm.concurrency = $1 },
            parsed("swarm", "templates_dir", "a folder path", SettingValue.filePath) { $0.swarm.templatesDirectory = $1 },
            parsed("server", "host", "a host name or IP address", SettingValue.host) { $0.server.host = $1 },
            integer("server", "port", 0...65535) { $0.server.port = $1 },
            parsed("server", "data_dir", "a folder path", SettingValue.filePath) { $0.server.dataDirectory = $1 },
            parsed("server", "database_url", "postgres://... or a SQLite file path", SettingValue.databaseURL) {
                $0.server.databaseURL = $1
            },
            integer("server", "workers", 0...256) { $0.server.workers = $1 },
            integer("server", "max_body_bytes", 1024...(1 << 30)) { $0.server.maxBodyBytes = $1 },
            seconds("server", "idle_timeout") { $0.server.idleTimeout = $1 },
            seconds("server", "request_timeout") { $0.server.requestTimeout = $1 },
            integer("server", "max_connections", 1...1_000_000) { $0.server.maxConnections = $1 },
            seconds("server", "shutdown_timeout", in: .seconds(1) ... .seconds(3600)) { $0.server.shutdownTimeout = $1 },
            parsed("pricing", "unpriced_ceiling_per_million", "a price in US dollars per million tokens", SettingValue.price) {
                $0.pricing.unpricedCeilingPerMillion = $1
            },
        ]
    }

    private static func parsed<T>(
        _ section: String, _ key: String, _ expected: String,
        _ parse: @escaping (String) -> Result<T, SettingError>,
        _ store: @escaping (inout KimiSwarmConfiguration, T) -> Void
    ) -> SectionSetting {
        SectionSetting(section: section, key: key, expected: expected) { text, configuration in
            switch parse(text) {
            case .success(let value):
                store(&configuration, value)
                return nil
            case .failure(let error):
                return error
            }
        }
    }

    private static func integer(
        _ section: String, _ key: String, _ range: ClosedRange<Int>,
        _ store: @escaping (inout KimiSwarmConfiguration, Int) -> Void
    ) -> SectionSetting {
        parsed(section, key, "an integer", { SettingValue.integer($0, in: range) }, store)
    }

    private static func seconds(
        _ section: String, _ key: String, _ store: @escaping (inout KimiSwarmConfiguration, Duration) -> Void
    ) -> SectionSetting {
        parsed(section, key, "a number of seconds", SettingValue.seconds, store)
    }

    private static func seconds(
        _ section: String, _ key: String, in range: ClosedRange<Duration>,
        _ store: @escaping (inout KimiSwarmConfiguration, Duration) -> Void
    ) -> SectionSetting {
        parsed(section, key, "a number of seconds", { SettingValue.seconds($0, in: range) }, store)
    }

    private static func fraction(
        _ section: String, _ key: String, _ store: @escaping (inout KimiSwarmConfiguration, Double) -> Void
    ) -> SectionSetting {
        parsed(section, key, "a fraction", SettingValue.fraction, store)
    }

    private static func boolean(
        _ section: String, _ key: String, _ store: @escaping (inout KimiSwarmConfiguration, Bool) -> Void
    ) -> SectionSetting {
        parsed(section, key, "true or false", SettingValue.bool, store)
    }
}
