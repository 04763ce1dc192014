import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting
import Testing

@Suite("Resilience: retry policy and budget (pure)")
struct ResilienceRetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 6, initialBackoff: .milliseconds(500), maxBackoff: .seconds(4), maxRetryAfter: .seconds(60))

    @Test("the backoff ceiling doubles per retry up to maxBackoff")
    func ceilingGrows() {
        #expect(policy.backoffCeiling(forRetry: 1) == .milliseconds(500))
        #expect(policy.backoffCeiling(forRetry: 2) == .seconds(1))
        #expect(policy.backoffCeiling(forRetry: 3) == .seconds(2))
        #expect(policy.backoffCeiling(forRetry: 4) == .seconds(4))
        #expect(policy.backoffCeiling(forRetry: 5) == .seconds(4))
        #expect(policy.backoffCeiling(forRetry: 500) == .seconds(4))
    }

    @Test("full jitter: the backoff is random × ceiling, within [0, ceiling)")
    func fullJitter() {
        #expect(policy.backoff(forRetry: 3, random: 0) == .zero)
        #expect(policy.backoff(forRetry: 3, random: 0.5) == .seconds(1))
        #expect(policy.backoff(forRetry: 3, random: 0.25) == .milliseconds(500))
        for retry in 1...10 {
            for random in stride(from: 0.0, to: 1.0, by: 0.1) {
                let delay = policy.backoff(forRetry: retry, random: random)
                #expect(delay >= .zero && delay <= policy.backoffCeiling(forRetry: retry))
            }
        }
    }

    @Test("delay: none after the last attempt; at least Retry-After; none above maxRetryAfter")
    func delayDecisions() {
        #expect(policy.delay(afterAttempt: 6, retryAfter: nil, random: 0.5) == nil)
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, random: 0.5) == .milliseconds(250))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(7), random: 0.5) == .seconds(7))
        #expect(policy.delay(afterAttempt: 4, retryAfter: .milliseconds(100), random: 0.5) == .seconds(2))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(61), random: 0.5) == nil)
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(60), random: 0) == .seconds(60))
    }

    @Test("the policy reads the settings")
    func fromSettings() {
        let policy = RetryPolicy(settings: RetrySettings(maxAttempts: 4, initialBackoff: .seconds(1), maxBackoff: .seconds(8), maxRetryAfter: .seconds(9)))
        #expect(policy.maxAttempts == 4)
        #expect(policy.backoffCeiling(forRetry: 3) == .seconds(4))
        #expect(policy.maxRetryAfter == .seconds(9))
    }

    @Test("budget floor: a lone call gets its retries even with no traffic")
    func budgetFloor() {
        var budget = RetryBudgetWindow(ratio: 0.2, window: .seconds(10), minRetries: 3)
        budget.recordCall(at: .zero)
        #expect(budget.tryRetry(at: .zero) == true)
        #expect(budget.tryRetry(at: .seconds(1)) == true)
        #expect(budget.tryRetry(at: .seconds(2)) == true)
        #expect(budget.tryRetry(at: .seconds(3)) == false)
    }

    @Test("budget ratio: retries stay below ratio × calls in the window")
    func budgetRatio() {
        var budget = RetryBudgetWindow(ratio: 0.2, window: .seconds(10), minRetries: 3)
        for _ in 0..<50 { budget.recordCall(at: .seconds(1)) }
        #expect(budget.allowance(at: .seconds(1)) == 10)
        var granted = 0
        for _ in 0..<50 where budget.tryRetry(at: .seconds(2)) { granted += 1 }
        #expect(granted == 10)
    }

    @Test("budget window slides: old calls and retries expire")
    func budgetWindowSlides() {
        var budget = RetryBudgetWindow(ratio: 0.2, window: .seconds(10), minRetries: 1)
        budget.recordCall(at: .zero)
        #expect(budget.tryRetry(at: .zero) == true)
        #expect(budget.tryRetry(at: .seconds(5)) == false)
        #expect(budget.counts(at: .seconds(5)).calls == 1)
        #expect(budget.counts(at: .seconds(5)).retries == 1)
        #expect(budget.counts(at: .seconds(11)).calls == 0)
        #expect(budget.counts(at: .seconds(11)).retries == 0)
        #expect(budget.tryRetry(at: .seconds(11)) == true)
    }

    @Test("RetryBudget from settings never floors below maxAttempts - 1, and uses the clock")
    func budgetFromSettings() {
        let clock = ManualClock()
        let budget = RetryBudget(settings: RetrySettings(maxAttempts: 6, minRetriesPerWindow: 1), clock: clock)
        budget.recordCall()
        for _ in 0..<5 { #expect(budget.tryAcquireRetry()) }
        #expect(!budget.tryAcquireRetry())
        clock.advance(by: .seconds(11))
        #expect(budget.counts.calls == 0)
        #expect(budget.counts.retries == 0)
        #expect(budget.tryAcquireRetry())
    }
}
