public import KimiSwarmCore
import Synchronization

/// A client's retry budget, shared by all its ``RetryLayer``s so that a failing upstream never
/// receives a retry storm: over a sliding window, retries stay below
/// `max(minRetriesPerWindow, ratio × calls)`. See ``RetryBudgetWindow`` for the rule.
public final class RetryBudget: Sendable {
    private let state: Mutex<RetryBudgetWindow>
    private let clock: any SwarmClock

    /// Creates a budget measured with `clock`.
    public init(ratio: Double = 0.2, window: Duration = .seconds(10), minRetriesPerWindow: Int = 3, clock: any SwarmClock) {
        state = Mutex(RetryBudgetWindow(ratio: ratio, window: window, minRetries: minRetriesPerWindow))
        self.clock = clock
    }

    /// A budget from the retry settings; its floor is never below `maxAttempts - 1`, so that a
    /// lone request always gets all its retries.
    public convenience init(settings: RetrySettings, clock: any SwarmClock) {
        self.init(
            ratio: settings.budgetRatio, window: settings.budgetWindow,
            minRetriesPerWindow: max(settings.minRetriesPerWindow, settings.maxAttempts - 1), clock: clock)
    }

    /// Records a new call (its first attempt).
    public func recordCall() {
        let now = clock.now()
        state.withLock { $0.recordCall(at: now) }
    }

    /// Takes one retry, or returns `false` when the budget is spent.
    public func tryAcquireRetry() -> Bool {
        let now = clock.now()
        return state.withLock { $0.tryRetry(at: now) }
    }

    /// Calls and retries in the current window.
    public var counts: (calls: Int, retries: Int) {
        let now = clock.now()
        return state.withLock { $0.counts(at: now) }
    }
}
