import Foundation
import Synchronization

/// The runs this process is executing, so that a cancel reaches them at once instead of being
/// polled for: the run service of this process cancels directly (``cancel(tenantID:runID:)``),
/// and a cancel stored by another replica arrives as a PostgreSQL notification that the event
/// listener passes on (``changed(tenantID:runID:)``), after which the executor reads the run's
/// cancel flag once.
public final class RunCancellations: Sendable {
    /// Why a wait ended.
    package enum Wake: Sendable, Equatable {
        /// This process cancelled the run: stop.
        case cancelled
        /// The run changed in the database (maybe a cancel from another replica): read its flag.
        case changed
        /// Nothing happened within the wait's timeout (the slow safety net): read its flag.
        case timedOut
    }

    private struct Key: Hashable {
        var tenantID: String
        var runID: String
    }

    private struct Entry {
        var cancelled = false
        var changed = false
        var waiter: (id: UInt64, continuation: CheckedContinuation<Wake?, Never>)?
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Starts watching a run that this process executes.
    package func register(tenantID: String, runID: String) {
        state.withLock { $0.entries[Key(tenantID: tenantID, runID: runID)] = Entry() }
    }

    /// Stops watching the run (its execution ended); a waiter still waiting is woken.
    package func unregister(tenantID: String, runID: String) {
        let waiter = state.withLock { $0.entries.removeValue(forKey: Key(tenantID: tenantID, runID: runID))?.waiter }
        waiter?.continuation.resume(returning: nil)
    }

    /// Whether this process executes the run.
    package func isExecuting(tenantID: String, runID: String) -> Bool {
        state.withLock { $0.entries[Key(tenantID: tenantID, runID: runID)] != nil }
    }

    /// Cancels the run if this process executes it; returns whether it does.
    @discardableResult
    package func cancel(tenantID: String, runID: String) -> Bool {
        wake(Key(tenantID: tenantID, runID: runID)) { $0.cancelled = true }
    }

    /// The run changed in the database; a run this process executes reads its cancel flag.
    package func changed(tenantID: String, runID: String) {
        _ = wake(Key(tenantID: tenantID, runID: runID)) { $0.changed = true }
    }

    private func wake(_ key: Key, _ mark: (inout Entry) -> Void) -> Bool {
        let (known, delivery) = state.withLock { state -> (Bool, (CheckedContinuation<Wake?, Never>, Wake)?) in
            guard var entry = state.entries[key] else { return (false, nil) }
            mark(&entry)
            var delivery: (CheckedContinuation<Wake?, Never>, Wake)?
            if let waiter = entry.waiter {
                entry.waiter = nil
                delivery = (waiter.continuation, entry.cancelled ? .cancelled : .changed)
                if !entry.cancelled { entry.changed = false }
            }
            state.entries[key] = entry
            return (true, delivery)
        }
        if let (continuation, wake) = delivery { continuation.resume(returning: wake) }
        return known
    }

    /// Waits until the run is cancelled in this process or changes in the database, at most
    /// `timeout`. Returns `nil` when the task is cancelled or the run is no longer watched.
    package func wait(tenantID: String, runID: String, timeout: Duration) async -> Wake? {
        let key = Key(tenantID: tenantID, runID: runID)
        return await withTaskGroup(of: Wake?.self) { group in
            group.addTask { await self.waitForWake(key) }
            group.addTask {
                do { try await Task.sleep(for: timeout) } catch { return nil }
                return .timedOut
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    private func waitForWake(_ key: Key) async -> Wake? {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter &+= 1
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Wake?, Never>) in
                let now = state.withLock { state -> Wake?? in
                    guard var entry = state.entries[key], !Task.isCancelled else { return .some(nil) }
                    if entry.cancelled { return .some(.cancelled) }
                    if entry.changed {
                        entry.changed = false
                        state.entries[key] = entry
                        return .some(.changed)
                    }
                    entry.waiter = (id, continuation)
                    state.entries[key] = entry
                    return .none
                }
                if case .some(let wake) = now { continuation.resume(returning: wake) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Wake?, Never>? in
                guard let waiter = state.entries[key]?.waiter, waiter.id == id else { return nil }
                state.entries[key]?.waiter = nil
                return waiter.continuation
            }
            waiter?.resume(returning: nil)
        }
    }
}
