import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Runs the services of `swarm serve` and `swarm worker` until SIGTERM or SIGINT, with a
/// deadline on the graceful shutdown those start (`server.shutdown_timeout`).
///
/// The graceful shutdown stops accepting connections and lets in-flight requests and runs
/// finish. Past `timeout`, ServiceLifecycle cancels them (an LLM call, a database wait, a
/// stream stop at their next cancellation point; running jobs are released for another
/// worker). Work that ignores cancellation gets ``cancellationGrace`` more; then the process
/// exits with status 1 and a message saying so, rather than waiting forever.
enum GracefulShutdown {
    /// How long cancelled work may take to end before the process exits anyway.
    static let cancellationGrace: Duration = .seconds(10)

    static func run(_ services: [any Service], timeout: Duration, logger: Logger) async throws {
        var configuration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = timeout
        let group = ServiceGroup(configuration: configuration)
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                // A watchdog: it only acts when the first signal came and the services did not end.
                for await signal in signals {
                    try await Task.sleep(for: timeout + cancellationGrace)
                    logger.critical(
                        "shutdown: work still running \(cancellationGrace) after it was cancelled (\(timeout) after \(signal)); exiting now")
                    exit(1)
                }
            }
            try await tasks.next()
            tasks.cancelAll()
        }
    }
}
