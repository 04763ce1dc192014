import KimiSwarmCore
/// A tool call that took longer than the run allows.
struct ToolTimeout: Error, CustomStringConvertible {
    var seconds: Double
    var description: String { "the tool did not answer within \(seconds.formatted()) s; try a narrower request" }
}

/// Runs `operation`, cancelling it after `seconds`. Tools must honour cancellation (the
/// built-in ones do), or the call ends only when they return.
func withToolTimeout<T: Sendable>(seconds: Double, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: .saturating(seconds: seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        guard let value = first else { throw ToolTimeout(seconds: seconds) }
        return value
    }
}

import Foundation
