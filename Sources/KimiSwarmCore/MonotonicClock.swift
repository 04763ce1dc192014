/// The clock that layers measure and wait with: backoff, circuit cool-downs, token buckets,
/// cache expiry. Production uses ``SystemClock``; tests inject a manual clock so that no test
/// sleeps for real.
public protocol MonotonicClock: Sendable {
    /// Time elapsed since the clock's fixed origin; never goes backwards.
    func now() -> Duration

    /// Suspends for `duration`; throws `CancellationError` when the task is cancelled.
    func sleep(for duration: Duration) async throws
}

/// The real monotonic clock (`ContinuousClock`).
public struct SystemClock: MonotonicClock {
    private let origin: ContinuousClock.Instant

    /// Creates a clock whose origin is now.
    public init() {
        origin = ContinuousClock.now
    }

    public func now() -> Duration {
        ContinuousClock.now - origin
    }

    public func sleep(for duration: Duration) async throws {
        guard duration > .zero else {
            try Task.checkCancellation()
            return
        }
        try await Task.sleep(for: duration)
    }
}
