import Foundation
package import KimiSwarmStore
package import Logging
import ServiceLifecycle
import Synchronization

/// Writes gateway calls to the tenants' usage ledgers in the background, so that no request
/// waits on the database: ``record(_:)`` only appends to a buffer in memory; the service's
/// loop writes the buffer every ``interval`` (sooner once ``batchSize`` records wait), and
/// once more on graceful shutdown, so nothing recorded before SIGTERM is lost.
///
/// A record whose write fails is retried on the next round (a database that is briefly away
/// loses nothing); beyond ``capacity`` waiting records the oldest are dropped with an error
/// in the log, so a database that stays away cannot exhaust the memory.
package final class UsageRecorder: Service, Sendable {
    private struct State {
        var pending: [UsageRecord] = []
        var waiter: CheckedContinuation<Void, Never>?
        var dropped = 0
    }

    private let store: SwarmStore
    private let logger: Logger
    private let state = Mutex(State())
    /// How long records wait at most before being written.
    package let interval: Duration
    /// How many waiting records wake the writer early.
    package let batchSize: Int
    /// The most records kept waiting.
    package let capacity: Int

    package init(store: SwarmStore, logger: Logger, interval: Duration = .milliseconds(250), batchSize: Int = 256, capacity: Int = 100_000) {
        self.store = store
        self.logger = logger
        self.interval = interval
        self.batchSize = batchSize
        self.capacity = capacity
    }

    /// Queues a record for the ledger; returns at once.
    package func record(_ record: UsageRecord) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.pending.append(record)
            if state.pending.count > capacity {
                state.pending.removeFirst(state.pending.count - capacity)
                state.dropped += 1
            }
            guard state.pending.count >= batchSize else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Records waiting to be written.
    package var pendingCount: Int { state.withLock { $0.pending.count } }

    package func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await cancelWhenGracefulShutdown { await self.waitForWork() }
            await flush()
        }
        await flush()
    }

    /// Sleeps for ``interval`` or until a batch is full, whichever comes first.
    private func waitForWork() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: self.interval) }
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let ready = self.state.withLock { state -> Bool in
                            if state.pending.count >= self.batchSize || Task.isCancelled { return true }
                            state.waiter?.resume()
                            state.waiter = continuation
                            return false
                        }
                        if ready { continuation.resume() }
                    }
                } onCancel: {
                    self.state.withLock { state in
                        defer { state.waiter = nil }
                        return state.waiter
                    }?.resume()
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Writes every waiting record now (records that fail stay queued for the next round).
    package func flush() async {
        let (batch, dropped) = state.withLock { state -> ([UsageRecord], Int) in
            defer {
                state.pending.removeAll(keepingCapacity: true)
                state.dropped = 0
            }
            return (state.pending, state.dropped)
        }
        if dropped > 0 {
            logger.error("usage records were dropped: the database did not take them in time", metadata: ["dropped": "\(dropped)"])
        }
        var failed: [UsageRecord] = []
        var start = 0
        while start < batch.count {
            let chunk = Array(batch[start..<min(start + 500, batch.count)])
            start += chunk.count
            do {
                // One transaction per chunk: each rollup row is updated once per chunk.
                try await store.usage.recordUsageBatch(chunk)
            } catch {
                // One bad record must not hold the others back: write them one by one.
                for record in chunk {
                    do {
                        try await store.usage.recordUsage(tenantID: record.tenantID, record)
                    } catch {
                        failed.append(record)
                    }
                }
            }
        }
        if !failed.isEmpty {
            logger.warning("could not write usage records; retrying", metadata: ["count": "\(failed.count)"])
            state.withLock { $0.pending.insert(contentsOf: failed, at: 0) }
            if !Task.isShuttingDownGracefully { try? await Task.sleep(for: .seconds(1)) }
        }
    }
}
