package import Logging
import ServiceLifecycle

/// Runs `body` every `interval` until shutdown, and once more on the way out.
package struct PeriodicService: Service {
    package let interval: Duration
    package let logger: Logger
    package let body: @Sendable () async -> Void

    package init(interval: Duration, logger: Logger, body: @escaping @Sendable () async -> Void) {
        self.interval = interval
        self.logger = logger
        self.body = body
    }

    package func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            await body()
        }
    }
}
