package import KimiSwarmStore
import ServiceLifecycle

/// Follows a run's stored events for a live stream (SSE and WebSocket alike): every event
/// after a cursor in order, in batches, then the new ones as they are stored (woken by the
/// ``RunEventHub``), until the run has ended and every event was delivered.
package struct RunEventReader: Sendable {
    /// The most events read (and delivered) at once.
    package static let batchSize = 500

    package let store: SwarmStore
    package let hub: RunEventHub

    package init(store: SwarmStore, hub: RunEventHub) {
        self.store = store
        self.hub = hub
    }

    /// Delivers the run's events after `after` to `deliver`, batch by batch, then the live
    /// ones, and returns once the run has ended and its last event was delivered. Returns
    /// early when the run is gone, the task is cancelled, or a graceful shutdown begins (the
    /// client reconnects to another replica with the last id it saw, and misses nothing).
    /// `idle` is called each time `wait` passes without news (a transport's keep-alive).
    package func follow(
        tenantID: String, runID: String, after: Int, wait: Duration = .seconds(2), idle: () async throws -> Void = {},
        deliver: ([StoredRunEvent]) async throws -> Void
    ) async throws {
        var cursor = after
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let generation = hub.generation(tenantID: tenantID, runID: runID)
            let batch = try await store.events.events(tenantID: tenantID, runID: runID, afterSeq: cursor, limit: Self.batchSize)
            if let last = batch.last {
                try await deliver(batch)
                cursor = last.seq
                if batch.count == Self.batchSize { continue }
            }
            guard let run = try await store.runs.run(tenantID: tenantID, runID: runID) else { return }
            if run.status.isFinal {
                // Every event is stored before the run's final status: one more read ends it.
                let rest = try await store.events.events(tenantID: tenantID, runID: runID, afterSeq: cursor, limit: 1)
                if rest.isEmpty { return }
                continue
            }
            await hub.wait(tenantID: tenantID, runID: runID, after: generation, timeout: wait)
            if hub.generation(tenantID: tenantID, runID: runID) == generation { try await idle() }
        }
    }
}

extension StoredRunEvent {
    /// The event as a Server-Sent Event (`id`, `event`, `data`).
    package var serverSentEvent: String { "id: \(seq)\nevent: \(type)\ndata: \(data)\n\n" }

    /// The event as a WebSocket text frame: `{"id": seq, "type": ..., "data": {...}}`.
    package var webSocketFrame: String { #"{"id":\#(seq),"type":"\#(type)","data":\#(data)}"# }
}
