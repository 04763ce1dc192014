import KimiSwarmClient
import KimiSwarmCore
import Testing

@Suite("Resilience: circuit breaker state machine (pure)")
struct ResilienceCircuitBreakerTests {
    static let settings = CircuitBreakerSettings(
        failureThreshold: 3, resetTimeout: .seconds(30), failureRateThreshold: 0.5, window: .seconds(60), minimumCalls: 10,
        halfOpenMaxProbes: 1, halfOpenSuccessesToClose: 2)

    /// Admits a call at `now` and records its outcome.
    @discardableResult
    static func call(_ breaker: inout CircuitBreaker, at now: Duration, fails: Bool) -> CircuitState? {
        let (admission, _) = breaker.admit(now: now)
        guard case .allowed(let probe) = admission else { return nil }
        return fails ? breaker.recordFailure(now: now, probe: probe) : breaker.recordSuccess(now: now, probe: probe)
    }

    @Test("consecutive failures open the circuit at the threshold; a success resets the count")
    func consecutiveThreshold() {
        var breaker = CircuitBreaker(settings: Self.settings)
        Self.call(&breaker, at: .seconds(1), fails: true)
        Self.call(&breaker, at: .seconds(2), fails: true)
        Self.call(&breaker, at: .seconds(3), fails: false)
        Self.call(&breaker, at: .seconds(4), fails: true)
        #expect(Self.call(&breaker, at: .seconds(5), fails: true) == nil)
        #expect(breaker.state == .closed)
        #expect(Self.call(&breaker, at: .seconds(6), fails: true) == .open)
        #expect(breaker.state == .open)
    }

    @Test("a failure rate at the threshold opens it once minimumCalls are in the window")
    func failureRate() {
        var breaker = CircuitBreaker(settings: Self.settings)
        // Alternate: never 3 in a row, but 50 % failures.
        var transitions: [CircuitState] = []
        for index in 0..<10 {
            if let state = Self.call(&breaker, at: .seconds(Int64(index)), fails: index % 2 == 1) { transitions.append(state) }
        }
        #expect(transitions == [.open])
        #expect(breaker.state == .open)
    }

    @Test("old outcomes leave the rate window")
    func rateWindowSlides() {
        var breaker = CircuitBreaker(settings: Self.settings)
        for index in 0..<9 { Self.call(&breaker, at: .seconds(Int64(index)), fails: index % 2 == 1) }
        // 61 s later the earlier calls are gone: one more failure is 1 of 1, below minimumCalls.
        Self.call(&breaker, at: .seconds(70), fails: true)
        #expect(breaker.state == .closed)
    }

    @Test("an open circuit rejects with the remaining cool-down, then half-opens")
    func coolDown() {
        var breaker = CircuitBreaker(settings: Self.settings)
        for second in 0..<3 { Self.call(&breaker, at: .seconds(Int64(second)), fails: true) }
        let (rejected, _) = breaker.admit(now: .seconds(12))
        #expect(rejected == .rejected(retryAfter: .seconds(20)))
        #expect(breaker.state(at: .seconds(31)) == .open)
        #expect(breaker.state(at: .seconds(32)) == .halfOpen)
        let (probe, transition) = breaker.admit(now: .seconds(32))
        #expect(probe == .allowed(probe: true))
        #expect(transition == .halfOpen)
    }

    @Test("half-open admits at most halfOpenMaxProbes; successes close it")
    func probesClose() {
        var breaker = CircuitBreaker(settings: Self.settings)
        for second in 0..<3 { Self.call(&breaker, at: .seconds(Int64(second)), fails: true) }
        #expect(breaker.admit(now: .seconds(40)).0 == .allowed(probe: true))
        #expect(breaker.admit(now: .seconds(40)).0 == .rejected(retryAfter: nil))
        #expect(breaker.recordSuccess(now: .seconds(41), probe: true) == nil)
        #expect(breaker.state == .halfOpen)
        #expect(breaker.admit(now: .seconds(41)).0 == .allowed(probe: true))
        #expect(breaker.recordSuccess(now: .seconds(42), probe: true) == .closed)
        #expect(breaker.admit(now: .seconds(42)).0 == .allowed(probe: false))
    }

    @Test("a failed probe re-opens the circuit for a new cool-down")
    func failedProbeReopens() {
        var breaker = CircuitBreaker(settings: Self.settings)
        for second in 0..<3 { Self.call(&breaker, at: .seconds(Int64(second)), fails: true) }
        #expect(breaker.admit(now: .seconds(40)).0 == .allowed(probe: true))
        #expect(breaker.recordFailure(now: .seconds(41), probe: true) == .open)
        #expect(breaker.admit(now: .seconds(50)).0 == .rejected(retryAfter: .seconds(21)))
    }

    @Test("an ignored probe frees its slot; late outcomes of pre-open calls are ignored")
    func ignoredOutcomes() {
        var breaker = CircuitBreaker(settings: Self.settings)
        #expect(breaker.admit(now: .zero).0 == .allowed(probe: false))
        for second in 1...3 { Self.call(&breaker, at: .seconds(Int64(second)), fails: true) }
        #expect(breaker.recordSuccess(now: .seconds(4), probe: false) == nil)
        #expect(breaker.state == .open)
        #expect(breaker.admit(now: .seconds(40)).0 == .allowed(probe: true))
        breaker.recordIgnored(probe: true)
        #expect(breaker.admit(now: .seconds(40)).0 == .allowed(probe: true))
    }
}
