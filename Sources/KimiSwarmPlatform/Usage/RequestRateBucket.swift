/// A tenant's (or key's) requests-per-minute bucket: holds up to one minute's worth of requests and
/// refills continuously at `perMinute / 60` a second. A pure value; the caller passes the time
/// (a ``SwarmClock`` reading).
package struct RequestRateBucket: Sendable {
    private(set) var capacity: Double
    private(set) var tokens: Double
    private var updated: Duration

    /// A full bucket.
    package init(perMinute: Int, at now: Duration) {
        capacity = Double(max(1, perMinute))
        tokens = capacity
        updated = now
    }

    /// Follows a changed limit; the tokens left never exceed the new capacity.
    package mutating func resize(perMinute: Int) {
        let next = Double(max(1, perMinute))
        guard next != capacity else { return }
        capacity = next
        tokens = min(tokens, next)
    }

    /// Takes one token: `nil` when granted, else the seconds until one is available.
    package mutating func take(at now: Duration) -> Double? {
        let elapsed = now - updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if seconds > 0 {
            tokens = min(capacity, tokens + seconds * capacity / 60)
            updated = now
        }
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return (1 - tokens) * 60 / capacity
    }
}
