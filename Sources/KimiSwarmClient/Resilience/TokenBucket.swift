/// A token bucket: holds up to ``capacity`` tokens and refills ``refillPerSecond`` tokens per
/// second. A pure value, read and changed at explicit times.
///
/// ``reserve(_:now:maxWait:)`` lets the level go negative: the caller takes its tokens at
/// once and waits for the returned duration, so that concurrent callers are served in the
/// order they reserved (fair), without polling.
public struct TokenBucket: Sendable, Hashable {
    /// The most tokens the bucket holds (the burst).
    public let capacity: Double
    /// Tokens added per second.
    public let refillPerSecond: Double
    /// The level at ``lastUpdate``; negative while reservations are outstanding.
    public private(set) var tokens: Double
    private var lastUpdate: Duration

    /// A full bucket at `now`.
    public init(capacity: Double, refillPerSecond: Double, now: Duration = .zero) {
        self.capacity = max(0, capacity)
        self.refillPerSecond = max(0, refillPerSecond)
        tokens = self.capacity
        lastUpdate = now
    }

    /// A bucket that allows `count` per `window` (e.g. 60 requests per 60 s), full at `now`.
    public init(count: Int, per window: Duration, now: Duration = .zero) {
        let seconds = max(Self.seconds(window), 1e-9)
        self.init(capacity: Double(count), refillPerSecond: Double(count) / seconds, now: now)
    }

    /// This bucket with a new rate of `count` per `window` (a changed limit): the tokens it
    /// holds at `now` never exceed the new capacity.
    public func resized(count: Int, per window: Duration, now: Duration) -> TokenBucket {
        var current = self
        current.refill(now)
        var next = TokenBucket(count: count, per: window, now: now)
        next.tokens = min(current.tokens, next.capacity)
        return next
    }

    /// The level at `now`.
    public mutating func available(now: Duration) -> Double {
        refill(now)
        return tokens
    }

    /// Takes `n` tokens if they are there now; returns whether it did.
    public mutating func consume(_ n: Double, now: Duration) -> Bool {
        refill(now)
        let n = clamp(n)
        guard tokens >= n else { return false }
        tokens -= n
        return true
    }

    /// How long until `n` tokens are available (zero when they are).
    public mutating func timeUntilAvailable(_ n: Double, now: Duration) -> Duration {
        refill(now)
        let deficit = clamp(n) - tokens
        guard deficit > 0 else { return .zero }
        guard refillPerSecond > 0 else { return .seconds(Int64.max / 4) }
        return .seconds(deficit / refillPerSecond)
    }

    /// Reserves `n` tokens and returns how long the caller must wait before using them, or `nil`
    /// (reserving nothing) when that wait would exceed `maxWait`. Requests larger than the
    /// capacity are clamped to it, so that they can be served at all.
    public mutating func reserve(_ n: Double, now: Duration, maxWait: Duration) -> Duration? {
        let wait = timeUntilAvailable(n, now: now)
        guard wait <= maxWait else { return nil }
        tokens -= clamp(n)
        return wait
    }

    /// Gives back `n` tokens (a cancelled reservation, or a call that used fewer tokens than
    /// estimated); the level never exceeds the capacity.
    public mutating func refund(_ n: Double, now: Duration) {
        refill(now)
        tokens = min(capacity, tokens + max(0, n))
    }

    /// Takes `n` more tokens regardless of the level (a call that used more than estimated);
    /// the debt delays later callers.
    public mutating func charge(_ n: Double, now: Duration) {
        refill(now)
        tokens -= max(0, n)
    }

    private func clamp(_ n: Double) -> Double { min(max(0, n), capacity) }

    private mutating func refill(_ now: Duration) {
        guard now > lastUpdate else { return }
        tokens = min(capacity, tokens + Self.seconds(now - lastUpdate) * refillPerSecond)
        lastUpdate = now
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
