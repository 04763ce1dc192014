public import CoreMetrics
public import KimiSwarmCore
public import Logging

/// Builds the resilience layers around one provider in the right order.
public enum ResilienceStack {
    /// Wraps `provider` as `RetryLayer → CircuitBreakerLayer → RateLimitLayer → provider`.
    ///
    /// Why this order:
    /// - **Retry outermost**: every attempt goes through the breaker and the rate limiter again,
    ///   so a retry cannot slip past an open circuit or exceed the account's rate and
    ///   concurrency limits; the backoff sleep holds no bulkhead permit; and the retry budget
    ///   sees each logical call once.
    /// - **Circuit breaker before the rate limiter**: an open circuit fails fast without
    ///   waiting in the rate limiter's queue or spending a request token, and local congestion
    ///   (a bulkhead or rate-limit timeout, category `rate_limit`) never opens the circuit.
    /// - **Rate limiter innermost**: it guards exactly the requests that reach the provider.
    ///
    /// - Parameters:
    ///   - provider: the provider to wrap.
    ///   - configuration: the client's settings (`retry`, `circuit_breaker`, `rate_limit`; the
    ///     provider's own `providers.<name>.rate_limit`, a tier preset among them, overrides the
    ///     `rate_limit` section: ``RateLimitSettings/applying(_:)``).
    ///   - budget: the client's retry budget, shared by all providers of the client.
    ///   - clock: the clock for backoff, cool-downs and buckets.
    ///   - random: numbers in `0..<1` for the backoff jitter.
    ///   - logger: where retries, circuit transitions and rejections are logged.
    ///   - metrics: where the layers' series go (retries, retry budget, circuit state and
    ///     transitions, rate-limit waits, bulkhead); the global `MetricsSystem` when `nil`.
    public static func wrap(
        _ provider: any LLMProvider,
        configuration: KimiSwarmConfiguration,
        budget: RetryBudget,
        clock: any SwarmClock,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger,
        metrics: (any MetricsFactory)? = nil
    ) -> any LLMProvider {
        build(
            provider, configuration: configuration, budget: budget, clock: clock, random: random, logger: logger, metrics: metrics
        ).provider
    }

    /// Builds the same stack as ``wrap(_:configuration:budget:clock:random:logger:metrics:)`` and also
    /// returns its inner layers, for health checks (``CircuitBreakerLayer/states()``) and
    /// gauges (``RateLimitLayer/inFlight``).
    public static func build(
        _ provider: any LLMProvider,
        configuration: KimiSwarmConfiguration,
        budget: RetryBudget,
        clock: any SwarmClock,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger,
        metrics: (any MetricsFactory)? = nil
    ) -> Layers {
        let limits = configuration.rateLimit.applying(provider.configuration)
        let limited = RateLimitLayer(provider, settings: limits, clock: clock, logger: logger, metrics: metrics)
        let guarded = CircuitBreakerLayer(
            limited, settings: configuration.circuitBreaker, clock: clock, logger: logger, metrics: metrics)
        let retrying = RetryLayer(
            guarded, policy: RetryPolicy(settings: configuration.retry), budget: budget, clock: clock, random: random,
            logger: logger, metrics: metrics)
        return Layers(provider: retrying, circuitBreaker: guarded, rateLimit: limited)
    }

    /// A built stack and handles on its inner layers.
    public struct Layers: Sendable {
        /// The outermost layer: call this.
        public let provider: any LLMProvider
        /// The circuit breaker layer, for ``CircuitBreakerLayer/states()``.
        public let circuitBreaker: CircuitBreakerLayer
        /// The rate limit layer, for ``RateLimitLayer/inFlight`` and ``RateLimitLayer/waiting``.
        public let rateLimit: RateLimitLayer
    }
}
