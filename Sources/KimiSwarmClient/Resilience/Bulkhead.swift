public import KimiSwarmCore
import Synchronization

/// A concurrency limit: at most ``limit`` permits out at once; callers beyond it wait in FIFO
/// order, each for at most its `maxWait`, and a cancelled waiter leaves the queue at once.
public final class Bulkhead: Sendable {
    /// Why ``acquire(maxWait:clock:)`` failed without a permit.
    public enum Failure: Error, Sendable, Hashable {
        /// No permit came free within `maxWait`.
        case timedOut
    }

    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var inFlight = 0
        var nextID = 0
        var waiters: [Waiter] = []
        var pending: Set<Int> = []
        var cancelledBeforeRegistration: Set<Int> = []
    }

    /// The most permits out at once.
    public let limit: Int
    private let state = Mutex(State())

    /// Creates a bulkhead of `limit` permits (at least 1).
    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Permits out now.
    public var inFlight: Int { state.withLock { $0.inFlight } }

    /// Callers waiting now.
    public var waiting: Int { state.withLock { $0.waiters.count } }

    /// Takes a permit, waiting in line for at most `maxWait` on `clock`.
    ///
    /// - Throws: ``Failure/timedOut`` when no permit came free in time; `CancellationError`
    ///   when the task was cancelled (the waiter has then left the queue).
    public func acquire(maxWait: Duration, clock: any SwarmClock) async throws {
        try Task.checkCancellation()
        let id: Int? = state.withLock { state in
            if state.inFlight < limit, state.waiters.isEmpty {
                state.inFlight += 1
                return nil
            }
            state.nextID += 1
            state.pending.insert(state.nextID)
            return state.nextID
        }
        guard let id else { return }
        let (granted, timedOut) = await withTaskGroup(of: Result<Bool, any Error>.self) { group in
            group.addTask {
                do {
                    try await self.wait(id: id)
                    return .success(true)
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                do {
                    try await clock.sleep(for: maxWait)
                    return .success(false)
                } catch {
                    return .failure(error)
                }
            }
            var granted = false
            var timedOut = false
            if let first = await group.next() {
                group.cancelAll()
                if case .success(let value) = first { if value { granted = true } else { timedOut = true } }
            }
            while let result = await group.next() {
                if case .success(true) = result { granted = true }
            }
            return (granted, timedOut)
        }
        if granted {
            if Task.isCancelled {
                release()
                throw CancellationError()
            }
            return
        }
        if timedOut, !Task.isCancelled { throw Failure.timedOut }
        throw CancellationError()
    }

    /// Returns a permit: the longest waiter gets it, or it goes back to the pool.
    public func release() {
        let next = state.withLock { state -> Waiter? in
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.inFlight = max(0, state.inFlight - 1)
            return nil
        }
        next?.continuation.resume()
    }

    private enum Registration {
        case granted, queued, cancelled
    }

    private func wait(id: Int) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let registration = state.withLock { state -> Registration in
                    state.pending.remove(id)
                    if state.cancelledBeforeRegistration.remove(id) != nil { return .cancelled }
                    if state.inFlight < limit, state.waiters.isEmpty {
                        state.inFlight += 1
                        return .granted
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return .queued
                }
                switch registration {
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .granted: continuation.resume()
                case .queued: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                if let index = state.waiters.firstIndex(where: { $0.id == id }) { return state.waiters.remove(at: index) }
                if state.pending.contains(id) { state.cancelledBeforeRegistration.insert(id) }
                return nil
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }
}
