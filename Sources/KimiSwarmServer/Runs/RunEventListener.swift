import KimiSwarmStore
import Logging
import ServiceLifecycle

/// Wakes this replica's event readers when another replica stored an event or changed a run:
/// PostgreSQL `LISTEN/NOTIFY` (on SQLite, readers also poll every 2 s). Reconnects after a
/// lost connection.
struct RunEventListener: Service {
    let store: SwarmStore
    let hub: RunEventHub
    let logger: Logger

    func run() async throws {
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
