private enum TimeoutOutcome<Value: Sendable>: Sendable {
    case value(Value)
    case timedOut
}

/// Runs `operation`, failing with `timeoutError()` if it takes longer than `duration` on
/// `clock`.
///
/// Structured: the operation runs in a child task that is cancelled on timeout (an HTTP
/// client then abandons the request and closes its connection). An operation that ignores
/// cancellation still holds the caller until it returns.
package func withTimeout<T: Sendable>(
    _ duration: Duration, clock: any SwarmClock = SystemClock(), timeoutError: @escaping @Sendable () -> any Error,
    operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await race(
        operation,
        timer: {
            try await clock.sleep(for: duration)
        }, timeoutError: timeoutError)
}

private func race<T: Sendable>(
    _ operation: @escaping @Sendable () async throws -> T, timer: @escaping @Sendable () async throws -> Void,
    timeoutError: @escaping @Sendable () -> any Error
) async throws -> T {
    try await withThrowingTaskGroup(of: TimeoutOutcome<T>.self) { group in
        group.addTask { .value(try await operation()) }
        group.addTask {
            try await timer()
            return .timedOut
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        switch first {
        case .value(let value):
            return value
        case .timedOut:
            try Task.checkCancellation()
            throw timeoutError()
        }
    }
}
