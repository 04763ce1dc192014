public import KimiSwarmCore
public import CoreMetrics
public import Logging
import Metrics
import Synchronization

/// Client-side rate limits for the provider it wraps: an optional requests-per-window bucket, an
/// optional tokens-per-minute bucket, and a bulkhead (at most `maxConcurrent` calls in flight).
/// Limits that are not set (the defaults) do not throttle.
///
/// A call first reserves one request and its estimated tokens
/// (``TokenEstimator/estimateTotalTokens(_:defaultOutput:)``: prompt plus `maxTokens` or 1,024)
/// from the buckets; reservations are served in order and the caller waits until its tokens
/// have refilled. It then takes a bulkhead permit, waiting in FIFO order. The whole wait is
/// bounded by `maxWait`: when a bucket would need longer, the call fails at once; when no
/// permit comes free in time, it fails then. Both failures are retryable `rate_limit` errors
/// with reason ``KimiSwarmError/Reason/rateLimitTimeout`` or
/// ``KimiSwarmError/Reason/bulkheadTimeout``. A cancelled waiter leaves the queue at once,
/// gives its reservation back and throws `CancellationError`.
///
/// Token reconciliation: when a response reports usage, the difference between the real total
/// (`usage.totalTokens`) and the estimate is charged to (or refunded to) the token bucket, so the
/// bucket tracks real consumption. A failed call keeps its reservation (the provider may have
/// counted it too).
///
/// A stream holds its permit until it finishes, fails or is dropped.
///
/// `listModels` passes through without limits. Metrics: `kimiswarm_rate_limit_wait_seconds`
/// (timer, per provider), `kimiswarm_bulkhead_in_flight{provider}` (gauge) and
/// `kimiswarm_bulkhead_rejections_total{provider}`.
public final class RateLimitLayer: LLMProvider {
    /// The wrapped provider.
    public let base: any LLMProvider
    /// The limits.
    public let settings: RateLimitSettings
    private let clock: any SwarmClock
    private let logger: Logger
    private let bulkhead: Bulkhead
    private let buckets: Mutex<Buckets>

    private struct Buckets {
        var requests: TokenBucket?
        var tokens: TokenBucket?
    }

    private let metrics: any MetricsFactory

    /// Wraps `base`. `metrics` receives the layer's series (the global `MetricsSystem` when `nil`).
    public init(
        _ base: any LLMProvider, settings: RateLimitSettings, clock: any SwarmClock, logger: Logger,
        metrics: (any MetricsFactory)? = nil
    ) {
        self.base = base
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.metrics = metrics ?? MetricsSystem.factory
        bulkhead = Bulkhead(limit: settings.maxConcurrent)
        let now = clock.now()
        buckets = Mutex(Buckets(
            requests: settings.maxRequests.map { TokenBucket(count: max(1, $0), per: settings.window, now: now) },
            tokens: settings.maxTokensPerMinute.map { TokenBucket(count: max(1, $0), per: .seconds(60), now: now) }))
    }

    public var configuration: ProviderConfiguration { base.configuration }

    /// Calls in flight now.
    public var inFlight: Int { bulkhead.inFlight }

    /// Calls waiting for a bulkhead permit now.
    public var waiting: Int { bulkhead.waiting }

    public func chat(_ request: ChatRequest) async throws -> ChatResponse {
        let estimate = TokenEstimator.estimateTotalTokens(request)
        let permit = try await acquire(tokens: estimate)
        defer { permit.release() }
        let response = try await base.chat(request)
        reconcile(estimate: estimate, usage: response.usage)
        return response
    }

    public func chatStream(_ request: ChatRequest) -> ChatStream {
        let layer = self
        return ChatStream { RateLimitedStreamProducer(layer: layer, request: request) }
    }

    public func embed(_ request: EmbeddingRequest) async throws -> EmbeddingResponse {
        let estimate = request.inputs.reduce(0) { $0 + TokenEstimator.estimate($1) }
        let permit = try await acquire(tokens: estimate)
        defer { permit.release() }
        let response = try await base.embed(request)
        reconcile(estimate: estimate, usage: response.usage)
        return response
    }

    public func listModels() async throws -> [ProviderModel] {
        try await base.listModels()
    }

    /// Waits for capacity and a bulkhead permit; the permit must be released.
    func acquire(tokens estimate: Int) async throws -> RatePermit {
        let start = clock.now()
        let provider = configuration.id
        let reservation = buckets.withLock { buckets -> Duration? in
            var requestWait = Duration.zero
            if buckets.requests != nil {
                guard let wait = buckets.requests?.reserve(1, now: start, maxWait: settings.maxWait) else { return nil }
                requestWait = wait
            }
            guard var tokenBucket = buckets.tokens else { return requestWait }
            guard let tokenWait = tokenBucket.reserve(Double(estimate), now: start, maxWait: settings.maxWait) else {
                buckets.requests?.refund(1, now: start)
                return nil
            }
            buckets.tokens = tokenBucket
            return max(requestWait, tokenWait)
        }
        guard let reservation else {
            throw KimiSwarmError(
                category: .rateLimit,
                message: "the client-side rate limit of provider '\(provider)' (\(limitsText)) "
                    + "has no capacity within \(Self.describe(settings.maxWait))",
                recoveryHint: "Send fewer requests, or raise providers.\(provider).rate_limit (max_requests, "
                    + "max_tokens_per_minute, or a preset such as moonshot_tier2) to match your account's tier.",
                isRetryable: true, provider: provider, reason: .rateLimitTimeout)
        }
        do {
            if reservation > .zero { try await clock.sleep(for: reservation) }
            let remaining = max(.zero, settings.maxWait - (clock.now() - start))
            try await bulkhead.acquire(maxWait: remaining, clock: clock)
        } catch {
            let now = clock.now()
            buckets.withLock { buckets in
                buckets.requests?.refund(1, now: now)
                buckets.tokens?.refund(Double(estimate), now: now)
            }
            guard let failure = error as? Bulkhead.Failure, failure == .timedOut else { throw error }
            Counter(label: "kimiswarm_bulkhead_rejections_total", dimensions: [("provider", provider.rawValue)], factory: metrics)
                .increment()
            logger.info(
                "bulkhead full: no slot came free in time",
                metadata: ["provider": "\(provider)", "max_concurrent": "\(bulkhead.limit)"])
            throw KimiSwarmError(
                category: .rateLimit,
                message: "provider '\(provider)' already has \(bulkhead.limit) requests in flight (max_concurrent) "
                    + "and no slot came free within \(Self.describe(settings.maxWait))",
                recoveryHint: "Lower the swarm's concurrency, or raise providers.\(provider).rate_limit.max_concurrent "
                    + "to match your account's tier.",
                isRetryable: true, provider: provider, reason: .bulkheadTimeout)
        }
        let waited = clock.now() - start
        Timer(
            label: "kimiswarm_rate_limit_wait_seconds", dimensions: [("provider", provider.rawValue)], preferredDisplayUnit: .seconds,
            factory: metrics
        ).recordNanoseconds(Self.nanoseconds(waited))
        recordInFlight()
        return RatePermit(layer: self)
    }

    func releasePermit() {
        bulkhead.release()
        recordInFlight()
    }

    func reconcile(estimate: Int, usage: Usage) {
        let actual = usage.totalTokens
        guard actual > 0 else { return }
        let now = clock.now()
        buckets.withLock { buckets in
            if actual > estimate {
                buckets.tokens?.charge(Double(actual - estimate), now: now)
            } else {
                buckets.tokens?.refund(Double(estimate - actual), now: now)
            }
        }
    }

    private func recordInFlight() {
        Gauge(label: "kimiswarm_bulkhead_in_flight", dimensions: [("provider", configuration.id.rawValue)], factory: metrics)
            .record(bulkhead.inFlight)
    }

    private var limitsText: String {
        var parts: [String] = []
        if let requests = settings.maxRequests { parts.append("\(requests) requests per \(Self.describe(settings.window))") }
        if let tokens = settings.maxTokensPerMinute { parts.append("\(tokens) tokens per minute") }
        return parts.joined(separator: ", ")
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// `30 s`, `1.5 s`, `250 ms`.
    static func describe(_ duration: Duration) -> String {
        let seconds = TokenBucket.seconds(duration)
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds == seconds.rounded() { return "\(Int(seconds)) s" }
        return "\((seconds * 10).rounded() / 10) s"
    }
}

/// One bulkhead permit; released once, at the latest when dropped.
final class RatePermit: Sendable {
    private let layer: RateLimitLayer
    private let released = Mutex(false)

    init(layer: RateLimitLayer) {
        self.layer = layer
    }

    func release() {
        let first = released.withLock { released -> Bool in
            defer { released = true }
            return !released
        }
        if first { layer.releasePermit() }
    }

    deinit { release() }
}

/// Plays a stream under a permit taken on the first step and held until the stream ends.
private struct RateLimitedStreamProducer: ChatStreamProducer {
    let layer: RateLimitLayer
    let request: ChatRequest
    var iterator: ChatStream.AsyncIterator?
    var permit: RatePermit?
    var estimate = 0

    init(layer: RateLimitLayer, request: ChatRequest) {
        self.layer = layer
        self.request = request
    }

    mutating func next() async throws -> ChatStreamEvent? {
        if iterator == nil {
            estimate = TokenEstimator.estimateTotalTokens(request)
            permit = try await layer.acquire(tokens: estimate)
            iterator = layer.base.chatStream(request).makeAsyncIterator()
        }
        do {
            let event = try await iterator!.next()
            switch event {
            case .finished(let response)?:
                layer.reconcile(estimate: estimate, usage: response.usage)
            case nil:
                permit?.release()
            default:
                break
            }
            return event
        } catch {
            permit?.release()
            throw error
        }
    }
}
