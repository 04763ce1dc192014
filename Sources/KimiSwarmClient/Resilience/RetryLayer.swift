public import CoreMetrics
public import KimiSwarmCore
public import Logging
import Metrics

/// Retries failed calls of the provider it wraps: only errors with
/// ``KimiSwarmError/isRetryable``, never `CancellationError`, at most
/// ``RetryPolicy/maxAttempts`` attempts, with exponential backoff and full jitter, waiting at
/// least the provider's `Retry-After` (a `Retry-After` above ``RetryPolicy/maxRetryAfter`` is
/// not retried), and never past the call's deadline: the provider's `request_timeout` from the
/// call's start.
///
/// Two kinds of retry:
/// - **A 429 with `Retry-After`** is the provider asking for a later try: it is honoured
///   (never sooner) without spending the retry budget.
/// - **Any other retryable failure** (5xx, a timeout, a reset connection, a 429 that does not
///   say when) is retried only while the shared ``RetryBudget`` allows, so that a failing
///   upstream never receives a retry storm.
///
/// A refused connection is not retried when the router has another target for the call
/// (``RouteAttempt/hasFallback``): nothing listens there, and the next target is better.
///
/// When the call still fails, the error says why: ``KimiSwarmError/attempts`` holds the
/// attempts made, the message ends with why no other was made and whether the retry budget was
/// the cause, and the provider's `Retry-After` stays in ``KimiSwarmError/retryAfter``. KimiSwarm's
/// reason is set when the error carried none: ``KimiSwarmError/Reason/retryBudgetExhausted``,
/// ``KimiSwarmError/Reason/retryAfterTooLong`` or ``KimiSwarmError/Reason/retryPastDeadline``.
///
/// A stream is retried only until its first event has reached the caller; after that its
/// errors propagate, since the caller has already seen part of an answer.
///
/// Each retry is logged at debug level (provider, model, attempt, delay, category; never
/// request content) and counted in `kimiswarm_retries_total{provider,model,category}`; budget
/// refusals in `kimiswarm_retry_budget_exhausted_total{provider,model}`.
public struct RetryLayer: LLMProvider {
    /// The wrapped provider.
    public let base: any LLMProvider
    /// When and how long to retry.
    public let policy: RetryPolicy
    /// The client's shared retry budget.
    public let budget: RetryBudget
    private let clock: any SwarmClock
    private let random: @Sendable () -> Double
    private let logger: Logger
    private let metrics: any MetricsFactory

    /// Wraps `base`. `random` returns numbers in `0..<1` for the jitter; `metrics` receives the
    /// layer's series (the global `MetricsSystem` when `nil`).
    public init(
        _ base: any LLMProvider,
        policy: RetryPolicy,
        budget: RetryBudget,
        clock: any SwarmClock,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger,
        metrics: (any MetricsFactory)? = nil
    ) {
        self.base = base
        self.policy = policy
        self.budget = budget
        self.clock = clock
        self.random = random
        self.logger = logger
        self.metrics = metrics ?? MetricsSystem.factory
    }

    public var configuration: ProviderConfiguration { base.configuration }

    public func chat(_ request: ChatRequest) async throws -> ChatResponse {
        let model = configuration.modelKey(request.model)
        return try await withRetries(model: model) { try await base.chat(request) }
    }

    public func chatStream(_ request: ChatRequest) -> ChatStream {
        let model = configuration.modelKey(request.model)
        let layer = self
        return ChatStream {
            RetryingStreamProducer(layer: layer, request: request, model: model)
        }
    }

    public func embed(_ request: EmbeddingRequest) async throws -> EmbeddingResponse {
        let model = configuration.modelKey(request.model, kind: "embedding")
        return try await withRetries(model: model) { try await base.embed(request) }
    }

    public func listModels() async throws -> [ProviderModel] {
        try await withRetries(model: "list_models") { try await base.listModels() }
    }

    private func withRetries<T>(model: String, _ operation: () async throws -> T) async throws -> T {
        budget.recordCall()
        let start = clock.now()
        var attempt = 1
        while true {
            do {
                return try await operation()
            } catch {
                let delay = try retryDelay(after: error, attempt: attempt, model: model, callStart: start)
                try await clock.sleep(for: delay)
                attempt += 1
            }
        }
    }

    /// Whether `error` is the provider asking for a later try: a 429 that says when
    /// (`Retry-After`). Waiting for it spends no retry budget.
    static func isThrottle(_ error: KimiSwarmError) -> Bool {
        error.category == .rateLimit && error.httpStatus == 429 && error.retryAfter != nil
    }

    /// The wait before the next attempt, or throws the error to return: `error` itself when it
    /// is not worth retrying, else a ``KimiSwarmError`` that says after how many attempts and
    /// why the call stopped (and keeps the provider's `Retry-After`).
    func retryDelay(after error: any Error, attempt: Int, model: String, callStart: Duration) throws -> Duration {
        if error is CancellationError || Task.isCancelled { throw error }
        guard let failure = error as? KimiSwarmError, failure.isRetryable else { throw error }
        let throttled = Self.isThrottle(failure)
        if failure.reason == .connectionRefused, RouteAttempt.hasFallback {
            throw stop(failure, attempt: attempt, why: "nothing listens at the provider's address; the router falls back at once")
        }
        guard attempt < policy.maxAttempts else {
            throw stop(failure, attempt: attempt, why: "retry.max_attempts is \(policy.maxAttempts)")
        }
        if let retryAfter = failure.retryAfter, retryAfter > policy.maxRetryAfter {
            logger.debug(
                "not retrying: the provider asked to wait longer than max_retry_after",
                metadata: metadata(model: model, attempt: attempt, delay: retryAfter, category: failure.category))
            throw stop(
                failure, attempt: attempt, reason: .retryAfterTooLong,
                why: "the provider asked to wait \(RateLimitLayer.describe(retryAfter)), longer than retry.max_retry_after "
                    + "(\(RateLimitLayer.describe(policy.maxRetryAfter)))")
        }
        guard let delay = policy.delay(afterAttempt: attempt, retryAfter: failure.retryAfter, random: random()) else {
            throw stop(failure, attempt: attempt, why: "retry.max_attempts is \(policy.maxAttempts)")
        }
        let deadline = configuration.requestTimeout
        let elapsed = clock.now() - callStart
        if elapsed + delay > deadline {
            logger.debug(
                "not retrying: the wait would pass the call's deadline",
                metadata: metadata(model: model, attempt: attempt, delay: delay, category: failure.category))
            throw stop(
                failure, attempt: attempt, reason: .retryPastDeadline,
                why: "waiting \(RateLimitLayer.describe(delay)) more would pass the call's deadline "
                    + "(request_timeout \(RateLimitLayer.describe(deadline)) from its start)")
        }
        // A provider's 429 with Retry-After asks for a later try; only failures spend the budget.
        if !throttled, !budget.tryAcquireRetry() {
            logger.info(
                "not retrying: the retry budget is spent",
                metadata: metadata(model: model, attempt: attempt, delay: delay, category: failure.category))
            Counter(
                label: "kimiswarm_retry_budget_exhausted_total",
                dimensions: [("provider", configuration.id.rawValue), ("model", model)], factory: metrics
            ).increment()
            throw stop(
                failure, attempt: attempt, reason: .retryBudgetExhausted, budgetExhausted: true,
                why: "the client's retry budget is spent (retries are capped at retry.budget_ratio of the calls "
                    + "over retry.budget_window)")
        }
        logger.debug(
            "retrying", metadata: metadata(model: model, attempt: attempt, delay: delay, category: failure.category))
        Counter(
            label: "kimiswarm_retries_total",
            dimensions: [("provider", configuration.id.rawValue), ("model", model), ("category", failure.category.rawValue)],
            factory: metrics
        ).increment()
        return delay
    }

    /// `failure` as returned to the caller: how many attempts were made, why there is no
    /// other, and whether the retry budget was the cause; its own reason (if any) is kept.
    private func stop(
        _ failure: KimiSwarmError, attempt: Int, reason: KimiSwarmError.Reason? = nil, budgetExhausted: Bool = false, why: String
    ) -> KimiSwarmError {
        var failure = failure
        failure.attempts = attempt
        if failure.reason == nil { failure.reason = reason }
        let attempts = attempt == 1 ? "1 attempt" : "\(attempt) attempts"
        failure.message += "; gave up after \(attempts): \(why)"
        if !budgetExhausted { failure.message += " (retry budget not exhausted)" }
        return failure
    }

    func sleep(for delay: Duration) async throws {
        try await clock.sleep(for: delay)
    }

    func clockNow() -> Duration {
        clock.now()
    }

    private func metadata(model: String, attempt: Int, delay: Duration, category: KimiSwarmError.Category) -> Logger.Metadata {
        [
            "provider": "\(configuration.id.rawValue)",
            "model": "\(model)",
            "attempt": "\(attempt)",
            "delay_seconds": "\(RetryPolicy.seconds(delay))",
            "category": "\(category.rawValue)",
        ]
    }
}

/// Plays a stream, starting it again after a retryable failure as long as no event has reached
/// the caller.
private struct RetryingStreamProducer: ChatStreamProducer {
    let layer: RetryLayer
    let request: ChatRequest
    let model: String
    var iterator: ChatStream.AsyncIterator?
    var attempt = 1
    var delivered = false
    var start: Duration?

    init(layer: RetryLayer, request: ChatRequest, model: String) {
        self.layer = layer
        self.request = request
        self.model = model
    }

    mutating func next() async throws -> ChatStreamEvent? {
        if start == nil {
            start = layer.clockNow()
            layer.budget.recordCall()
        }
        while true {
            if iterator == nil { iterator = layer.base.chatStream(request).makeAsyncIterator() }
            do {
                let event = try await iterator!.next()
                if event != nil { delivered = true }
                return event
            } catch {
                if delivered { throw error }
                let delay = try layer.retryDelay(after: error, attempt: attempt, model: model, callStart: start ?? .zero)
                iterator = nil
                try await layer.sleep(for: delay)
                attempt += 1
            }
        }
    }
}
