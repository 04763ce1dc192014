import Foundation
import KimiSwarmCore
/// A tool call that took longer than the run allows.
struct ToolTimeout: Error, CustomStringConvertible {
    var seconds: Double
    var description: String { "the tool did not answer within \(seconds.formatted()) s; try a narrower request" }
}

/// Runs `operation`, cancelling it after `seconds` on `clock`. Tools must honour cancellation
/// (the built-in ones do), or the call ends only when they return.
func withToolTimeout<T: Sendable>(
    seconds: Double, clock: any SwarmClock, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withTimeout(.saturating(seconds: seconds), clock: clock, timeoutError: { ToolTimeout(seconds: seconds) }, operation: operation)
}
