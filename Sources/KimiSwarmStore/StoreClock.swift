public import Foundation
public import KimiSwarmCore

/// Where the store reads the time: lease expiries, not-before times, timestamps. Tests inject
/// a manual one; replicas should run NTP, since lease expiry compares their clocks.
public struct StoreClock: Sendable {
    /// The current time.
    public var now: @Sendable () -> Date

    /// A clock reading `now`.
    public init(now: @escaping @Sendable () -> Date) { self.now = now }

    /// The wall clock of `clock`.
    public init(_ clock: any SwarmClock) { self.now = { clock.date() } }

    /// The system's wall clock.
    public static let system = StoreClock(SystemClock())
}
