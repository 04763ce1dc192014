public import KimiSwarmCore

/// When to retry and how long to wait: exponential backoff with full jitter, `Retry-After`
/// honoured up to a cap. A pure value; ``RetryLayer`` does the waiting.
///
/// The backoff before retry `n` (1 for the first retry) is a uniformly random duration in
/// `0 ..< min(maxBackoff, initialBackoff * 2^(n-1))` ("full jitter"), so that clients that
/// failed together do not retry together.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts per call, the first included.
    public var maxAttempts: Int
    /// The backoff ceiling of the first retry.
    public var initialBackoff: Duration
    /// The largest backoff ceiling.
    public var maxBackoff: Duration
    /// The longest `Retry-After` honoured; longer requests are not retried.
    public var maxRetryAfter: Duration

    /// Creates a policy.
    public init(
        maxAttempts: Int = 3, initialBackoff: Duration = .milliseconds(500), maxBackoff: Duration = .seconds(30),
        maxRetryAfter: Duration = .seconds(60)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = max(.zero, initialBackoff)
        self.maxBackoff = max(.zero, maxBackoff)
        self.maxRetryAfter = max(.zero, maxRetryAfter)
    }

    /// A policy from the retry settings.
    public init(settings: RetrySettings) {
        self.init(
            maxAttempts: settings.maxAttempts, initialBackoff: settings.initialBackoff, maxBackoff: settings.maxBackoff,
            maxRetryAfter: settings.maxRetryAfter)
    }

    /// The backoff ceiling before retry `retry` (1-based): `min(maxBackoff, initialBackoff * 2^(retry-1))`.
    public func backoffCeiling(forRetry retry: Int) -> Duration {
        let exponent = Double(min(max(retry, 1) - 1, 62))
        let seconds = min(Self.seconds(maxBackoff), Self.seconds(initialBackoff) * Double.pow2(exponent))
        return .seconds(seconds)
    }

    /// The jittered backoff before retry `retry`: `random` (in `0..<1`) times the ceiling.
    public func backoff(forRetry retry: Int, random: Double) -> Duration {
        let fraction = min(max(random, 0), 1)
        return .seconds(Self.seconds(backoffCeiling(forRetry: retry)) * fraction)
    }

    /// How long to wait before the next attempt after attempt `attempt` (1-based) failed, or
    /// `nil` when no attempt is left or the provider asked to wait longer than ``maxRetryAfter``.
    /// The wait is at least `retryAfter` when the provider gave one.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration?, random: Double) -> Duration? {
        guard attempt < maxAttempts else { return nil }
        let jittered = backoff(forRetry: attempt, random: random)
        guard let retryAfter else { return jittered }
        guard retryAfter <= maxRetryAfter else { return nil }
        return max(retryAfter, jittered)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

extension Double {
    /// `2^exponent` for small non-negative integral exponents.
    fileprivate static func pow2(_ exponent: Double) -> Double {
        var result = 1.0
        var remaining = Int(exponent)
        while remaining > 0 {
            result *= 2
            remaining -= 1
        }
        return result
    }
}
