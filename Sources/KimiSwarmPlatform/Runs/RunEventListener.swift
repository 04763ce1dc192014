package import KimiSwarmStore
package import Logging
import ServiceLifecycle

/// Wakes this replica's event readers when another replica stored an event or changed a run,
/// and passes a change of a run that executes here to its cancel watch (a cancel stored by
/// another replica arrives this way): PostgreSQL `LISTEN/NOTIFY` (on SQLite, readers also poll
/// every 2 s and running runs read their cancel flag every few seconds). Reconnects after a
/// lost connection.
package struct RunEventListener: Service {
    package let store: SwarmStore
    package let hub: RunEventHub
    package let cancellations: RunCancellations?
    package let logger: Logger

    package init(store: SwarmStore, hub: RunEventHub, cancellations: RunCancellations? = nil, logger: Logger) {
        self.store = store
        self.hub = hub
        self.cancellations = cancellations
        self.logger = logger
    }

    package func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown {
                    try await store.listenForRunEvents { notice in
                        hub.signal(tenantID: notice.tenantID, runID: notice.runID)
                        // seq 0: the run itself changed (its status, or a cancel request).
                        if notice.seq == 0 { cancellations?.changed(tenantID: notice.tenantID, runID: notice.runID) }
                    }
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
