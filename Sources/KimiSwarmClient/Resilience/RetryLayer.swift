public import KimiSwarmCore
public import Logging
import Metrics

/// Retries failed calls of the provider it wraps: only errors with
/// ``KimiSwarmError/isRetryable``, never `CancellationError`, at most
/// ``RetryPolicy/maxAttempts`` attempts, with exponential backoff and full jitter, waiting at
/// least the provider's `Retry-After` (a `Retry-After` above ``RetryPolicy/maxRetryAfter`` is
/// not retried), and only while the shared ``RetryBudget`` allows.
///
/// When the budget alone stops a retry, the last error is returned with
/// ``KimiSwarmError/reason`` ``KimiSwarmError/Reason/retryBudgetExhausted`` (unless it already
/// carried a reason).
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
    private let clock: any MonotonicClock
    private let random: @Sendable () -> Double
    private let logger: Logger

    /// Wraps `base`. `random` returns numbers in `0..<1` for the jitter.
    public init(
        _ base: any LLMProvider,
        policy: RetryPolicy,
        budget: RetryBudget,
        clock: any MonotonicClock,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger
    ) {
        self.base = base
        self.policy = policy
        self.budget = budget
        self.clock = clock
        self.random = random
        self.logger = logger
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
        var attempt = 1
        while true {
            do {
                return try await operation()
            } catch {
                let delay = try retryDelay(after: error, attempt: attempt, model: model)
                try await clock.sleep(for: delay)
                attempt += 1
            }
        }
    }

    /// The wait before the next attempt, or throws the error to return.
    func retryDelay(after error: any Error, attempt: Int, model: String) throws -> Duration {
        if error is CancellationError || Task.isCancelled { throw error }
        guard var failure = error as? KimiSwarmError, failure.isRetryable else { throw error }
        guard let delay = policy.delay(afterAttempt: attempt, retryAfter: failure.retryAfter, random: random()) else {
            if let retryAfter = failure.retryAfter, retryAfter > policy.maxRetryAfter, attempt < policy.maxAttempts {
                logger.debug(
                    "not retrying: the provider asked to wait longer than max_retry_after",
                    metadata: metadata(model: model, attempt: attempt, delay: retryAfter, category: failure.category))
            }
            throw failure
        }
        guard budget.tryAcquireRetry() else {
            if failure.reason == nil { failure.reason = .retryBudgetExhausted }
            logger.info(
                "not retrying: the retry budget is spent",
                metadata: metadata(model: model, attempt: attempt, delay: delay, category: failure.category))
            Counter(
                label: "kimiswarm_retry_budget_exhausted_total",
                dimensions: [("provider", configuration.id.rawValue), ("model", model)]
            ).increment()
            throw failure
        }
        logger.debug(
            "retrying", metadata: metadata(model: model, attempt: attempt, delay: delay, category: failure.category))
        Counter(
            label: "kimiswarm_retries_total",
            dimensions: [("provider", configuration.id.rawValue), ("model", model), ("category", failure.category.rawValue)]
        ).increment()
        return delay
    }

    func sleep(for delay: Duration) async throws {
        try await clock.sleep(for: delay)
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
    var started = false

    init(layer: RetryLayer, request: ChatRequest, model: String) {
        self.layer = layer
        self.request = request
        self.model = model
    }

    mutating func next() async throws -> ChatStreamEvent? {
        if !started {
            started = true
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
                let delay = try layer.retryDelay(after: error, attempt: attempt, model: model)
                iterator = nil
                try await layer.sleep(for: delay)
                attempt += 1
            }
        }
    }
}
