import Synchronization

/// Where the router's weighted choice among deployments draws its randomness; inject a
/// ``SeededRouterRandomSource`` in tests for a deterministic sequence.
public protocol RouterRandomSource: Sendable {
    /// A uniformly distributed value in `0..<1`.
    func nextUnit() -> Double
}

/// The system's random number generator.
public struct SystemRouterRandomSource: RouterRandomSource {
    /// Creates the source.
    public init() {}

    public func nextUnit() -> Double { Double.random(in: 0..<1) }
}

/// A deterministic source (SplitMix64) for tests and reproducible runs; thread-safe.
public final class SeededRouterRandomSource: RouterRandomSource {
    private let state: Mutex<UInt64>

    /// Creates a source whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        state = Mutex(seed)
    }

    public func nextUnit() -> Double {
        let bits = state.withLock { state -> UInt64 in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return Double(bits >> 11) / Double(UInt64(1) << 53)
    }
}
