/// The pure state of a retry budget: the calls and retries seen over a sliding window.
///
/// A retry is allowed while the retries in the window stay below
/// `max(minRetries, ratio × calls in the window)` (Envoy's retry budget), so that a failing
/// upstream receives at most `ratio` extra load, while a lone request still gets its retries.
public struct RetryBudgetWindow: Sendable, Hashable {
    /// Retries allowed per call in the window.
    public let ratio: Double
    /// The sliding window.
    public let window: Duration
    /// Retries always allowed per window.
    public let minRetries: Int
    private var calls: [Duration] = []
    private var retries: [Duration] = []

    /// Creates an empty budget.
    public init(ratio: Double, window: Duration, minRetries: Int) {
        self.ratio = max(0, ratio)
        self.window = window
        self.minRetries = max(0, minRetries)
    }

    /// Records a call (its first attempt) at `now`.
    public mutating func recordCall(at now: Duration) {
        prune(now)
        calls.append(now)
    }

    /// The retries allowed in the window as of `now`.
    public mutating func allowance(at now: Duration) -> Int {
        prune(now)
        return max(minRetries, Int((ratio * Double(calls.count)).rounded(.down)))
    }

    /// Takes one retry from the budget at `now`, or returns `false` when it is spent.
    public mutating func tryRetry(at now: Duration) -> Bool {
        guard retries.count < allowance(at: now) else { return false }
        retries.append(now)
        return true
    }

    /// Calls and retries in the window as of `now`.
    public mutating func counts(at now: Duration) -> (calls: Int, retries: Int) {
        prune(now)
        return (calls.count, retries.count)
    }

    private mutating func prune(_ now: Duration) {
        let horizon = now - window
        if let first = calls.firstIndex(where: { $0 > horizon }) { calls.removeFirst(first) } else { calls.removeAll() }
        if let first = retries.firstIndex(where: { $0 > horizon }) { retries.removeFirst(first) } else { retries.removeAll() }
    }
}
