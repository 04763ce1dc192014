private enum TimeoutOutcome<Value: Sendable>: Sendable {
    case value(Value)
    case timedOut
}

/// Runs `operation`, failing with `timeoutError()` if it takes longer than `duration`.
///
/// Structured: the operation runs in a child task that is cancelled on timeout, which makes
/// AsyncHTTPClient abandon the request and close its connection.
func withTimeout<T: Sendable>(
    _ duration: Duration,
    timeoutError: @escaping @Sendable () -> any Error,
    operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: TimeoutOutcome<T>.self) { group in
        group.addTask { .value(try await operation()) }
        group.addTask {
            try await Task.sleep(for: duration)
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
