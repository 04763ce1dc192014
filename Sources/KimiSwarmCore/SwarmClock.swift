public import Foundation

/// The one clock everything reads the time from: client layers measure and wait with it
/// (backoff, circuit cool-downs, token buckets, cache expiry), the engine times runs and
/// enforces wall-time limits with it, and the platform stamps, expires and bills with its
/// ``date()`` (quotas, leases, sessions, cache TTL, retention). Production uses ``SystemClock``;
/// tests inject a manual clock, so that no test sleeps for real.
public protocol SwarmClock: Sendable {
    /// Time elapsed since the clock's fixed origin; never goes backwards.
    func now() -> Duration

    /// The wall-clock date at this instant.
    func date() -> Date

    /// Suspends for `duration`; throws `CancellationError` when the task is cancelled.
    func sleep(for duration: Duration) async throws
}

/// The real clocks: `ContinuousClock` for ``now()`` and sleeping, the system's wall clock for
/// ``date()``. The only place outside tests that reads either.
public struct SystemClock: SwarmClock {
    private let origin: ContinuousClock.Instant

    /// Creates a clock whose origin is now.
    public init() {
        origin = ContinuousClock.now
    }

    public func now() -> Duration {
        ContinuousClock.now - origin
    }

    public func date() -> Date { Date() }

    public func sleep(for duration: Duration) async throws {
        guard duration > .zero else {
            try Task.checkCancellation()
            return
        }
        try await Task.sleep(for: duration)
    }
}
