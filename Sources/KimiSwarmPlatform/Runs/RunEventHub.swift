import Foundation
import Synchronization

/// Wakes the readers of a run's events when something new was stored: in-process by the
/// worker that appended it, and across replicas by PostgreSQL `LISTEN/NOTIFY` (the hub's
/// listener service calls ``signal(tenantID:runID:)`` for each notice).
///
/// Readers never lose a wake-up: they take the run's ``generation(tenantID:runID:)`` before
/// reading the store and wait only while it is unchanged.
public final class RunEventHub: Sendable {
    private struct Key: Hashable {
        var tenantID: String
        var runID: String
    }

    private struct Slot {
        var generation: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private struct State {
        var slots: [Key: Slot] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// The run's change counter.
    public func generation(tenantID: String, runID: String) -> UInt64 {
        state.withLock { $0.slots[Key(tenantID: tenantID, runID: runID)]?.generation ?? 0 }
    }

    /// Something changed for the run (an event, a status): wakes its waiters.
    public func signal(tenantID: String, runID: String) {
        let key = Key(tenantID: tenantID, runID: runID)
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            var slot = state.slots[key] ?? Slot()
            slot.generation &+= 1
            let waiting = Array(slot.waiters.values)
            slot.waiters.removeAll()
            state.slots[key] = slot
            if state.slots.count > 50_000 { state.slots = state.slots.filter { !$0.value.waiters.isEmpty } }
            return waiting
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until the run's generation differs from `generation`, at most `timeout`.
    /// Returns early (without throwing) when the task is cancelled.
    public func wait(tenantID: String, runID: String, after generation: UInt64, timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForSignal(Key(tenantID: tenantID, runID: runID), after: generation) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForSignal(_ key: Key, after generation: UInt64) async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter &+= 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    var slot = state.slots[key] ?? Slot()
                    if slot.generation != generation || Task.isCancelled { return true }
                    slot.waiters[id] = continuation
                    state.slots[key] = slot
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.slots[key]?.waiters.removeValue(forKey: id)
            }
            waiter?.resume()
        }
    }
}
