/// The state of a circuit breaker.
public enum CircuitState: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Calls pass; failures are counted.
    case closed
    /// Calls fail fast until the cool-down ends.
    case open
    /// A limited number of probe calls pass; their outcome closes or re-opens the circuit.
    case halfOpen = "half_open"

    /// The value of the `kimiswarm_circuit_state` gauge: 0 closed, 1 half-open, 2 open.
    public var gaugeValue: Int {
        switch self {
        case .closed: 0
        case .halfOpen: 1
        case .open: 2
        }
    }

    public var description: String { rawValue }
}
