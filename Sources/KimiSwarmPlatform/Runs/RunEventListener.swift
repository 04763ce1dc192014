package import KimiSwarmStore
package import Logging
import ServiceLifecycle

/// Wakes this replica's event readers when another replica stored an event or changed a run:
/// PostgreSQL `LISTEN/NOTIFY` (on SQLite, readers also poll every 2 s). Reconnects after a
/// lost connection.
package struct RunEventListener: Service {
    package let store: SwarmStore
    package let hub: RunEventHub
    package let logger: Logger

    package init(store: SwarmStore, hub: RunEventHub, logger: Logger) {
        self.store = store
        self.hub = hub
        self.logger = logger
    }

    package func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown {
                    try await store.listenForRunEvents { notice in hub.signal(tenantID: notice.tenantID, runID: notice.runID) }
                }
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
                logger.warning("run event listener lost its connection; reconnecting")
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
