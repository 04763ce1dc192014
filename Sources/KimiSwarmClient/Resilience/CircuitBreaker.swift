public import KimiSwarmCore

/// The pure state machine of one circuit (one provider and model); ``CircuitBreakerLayer``
/// does the locking, logging and metrics.
///
/// - closed → open after ``CircuitBreakerSettings/failureThreshold`` consecutive failures, or
///   when the failure rate over ``CircuitBreakerSettings/window`` reaches
///   ``CircuitBreakerSettings/failureRateThreshold`` with at least
///   ``CircuitBreakerSettings/minimumCalls`` calls in the window;
/// - open → half-open once ``CircuitBreakerSettings/resetTimeout`` has passed (on the next
///   admission);
/// - half-open admits at most ``CircuitBreakerSettings/halfOpenMaxProbes`` probes at once;
///   ``CircuitBreakerSettings/halfOpenSuccessesToClose`` successful probes close it, a failed
///   probe re-opens it.
///
/// Outcomes of calls admitted in an earlier phase (a call that started while closed and ends
/// after the circuit opened) are ignored.
public struct CircuitBreaker: Sendable {
    /// What ``admit(now:)`` decided.
    public enum Admission: Sendable, Hashable {
        /// The call may go ahead; `probe` is true while half-open.
        case allowed(probe: Bool)
        /// The call must fail fast; `retryAfter` is the remaining cool-down (nil while
        /// half-open with every probe slot taken).
        case rejected(retryAfter: Duration?)
    }

    /// The settings.
    public let settings: CircuitBreakerSettings
    /// The current state (an open circuit whose cool-down is over still reads `open` until the
    /// next admission; see ``state(at:)``).
    public private(set) var state: CircuitState = .closed
    private var consecutiveFailures = 0
    private var outcomes: [(time: Duration, failed: Bool)] = []
    private var openedAt: Duration = .zero
    private var probesInFlight = 0
    private var probeSuccesses = 0

    /// Creates a closed circuit.
    public init(settings: CircuitBreakerSettings) {
        self.settings = settings
    }

    /// The state as seen at `now`: an open circuit whose cool-down is over reads half-open.
    public func state(at now: Duration) -> CircuitState {
        if state == .open, now >= openedAt + settings.resetTimeout { return .halfOpen }
        return state
    }

    /// Decides whether a call may go ahead at `now`; may move open → half-open.
    public mutating func admit(now: Duration) -> (Admission, transition: CircuitState?) {
        var transition: CircuitState?
        if state == .open {
            let reopensAt = openedAt + settings.resetTimeout
            guard now >= reopensAt else { return (.rejected(retryAfter: reopensAt - now), nil) }
            state = .halfOpen
            probesInFlight = 0
            probeSuccesses = 0
            transition = .halfOpen
        }
        switch state {
        case .closed:
            return (.allowed(probe: false), transition)
        case .halfOpen:
            guard probesInFlight < max(1, settings.halfOpenMaxProbes) else { return (.rejected(retryAfter: nil), transition) }
            probesInFlight += 1
            return (.allowed(probe: true), transition)
        case .open:
            return (.rejected(retryAfter: nil), transition)
        }
    }

    /// Records a successful call; returns the new state when it changed.
    public mutating func recordSuccess(now: Duration, probe: Bool) -> CircuitState? {
        if probe {
            guard state == .halfOpen else { return nil }
            probesInFlight = max(0, probesInFlight - 1)
            probeSuccesses += 1
            guard probeSuccesses >= max(1, settings.halfOpenSuccessesToClose) else { return nil }
            close()
            return .closed
        }
        guard state == .closed else { return nil }
        consecutiveFailures = 0
        append(now: now, failed: false)
        return nil
    }

    /// Records a failure that counts; returns the new state when it changed.
    public mutating func recordFailure(now: Duration, probe: Bool) -> CircuitState? {
        if probe {
            guard state == .halfOpen else { return nil }
            open(now: now)
            return .open
        }
        guard state == .closed else { return nil }
        consecutiveFailures += 1
        append(now: now, failed: true)
        let failures = outcomes.count(where: \.failed)
        let rateTripped =
            outcomes.count >= max(1, settings.minimumCalls)
            && Double(failures) / Double(outcomes.count) >= settings.failureRateThreshold
        guard consecutiveFailures >= max(1, settings.failureThreshold) || rateTripped else { return nil }
        open(now: now)
        return .open
    }

    /// Records a call whose outcome says nothing about the upstream's health (cancelled, a
    /// request error): frees its probe slot, if it had one.
    public mutating func recordIgnored(probe: Bool) {
        if probe, state == .halfOpen { probesInFlight = max(0, probesInFlight - 1) }
    }

    private mutating func append(now: Duration, failed: Bool) {
        outcomes.append((now, failed))
        let horizon = now - settings.window
        if let first = outcomes.firstIndex(where: { $0.time > horizon }) { outcomes.removeFirst(first) } else { outcomes.removeAll() }
    }

    private mutating func open(now: Duration) {
        state = .open
        openedAt = now
        probesInFlight = 0
        probeSuccesses = 0
    }

    private mutating func close() {
        state = .closed
        consecutiveFailures = 0
        outcomes.removeAll()
        probesInFlight = 0
        probeSuccesses = 0
    }
}
