import Logging
import ServiceLifecycle

/// Runs `body` every `interval` until shutdown, and once more on the way out.
struct PeriodicService: Service {
    let interval: Duration
    let logger: Logger
    let body: @Sendable () async -> Void

    init(interval: Duration, logger: Logger, body: @escaping @Sendable () async -> Void) {
        self.interval = interval
        self.logger = logger
        self.body = body
    }

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            await body()
        }
    }
}
