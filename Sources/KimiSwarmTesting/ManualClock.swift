public import Foundation
public import KimiSwarmCore
import Synchronization

/// A clock that moves only when a test says so.
///
/// `sleep(for:)` suspends until ``advance(by:)`` moves time past the sleeper's deadline, or
/// its task is cancelled (then it throws `CancellationError`). ``waitForSleepers(_:)`` lets a
/// test wait until the code under test is actually sleeping before it advances time.
public final class ManualClock: SwarmClock {
    private struct Sleeper {
        let id: Int
        let deadline: Duration
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Duration = .zero
        var nextID = 0
        var sleepers: [Sleeper] = []
        var cancelledBeforeRegistration: Set<Int> = []
    }

    private let state = Mutex(State())
    /// The wall-clock date at time zero.
    public let epoch: Date

    /// Creates a clock at time zero (or at `start`) whose dates count from `epoch` (by default
    /// 2026-01-01T00:00:00Z, so dates are the same on every run).
    public init(start: Duration = .zero, epoch: Date = Date(timeIntervalSince1970: 1_767_225_600)) {
        self.epoch = epoch
        state.withLock { $0.now = start }
    }

    public func now() -> Duration {
        state.withLock { $0.now }
    }

    public func date() -> Date {
        let now = self.now().components
        return epoch.addingTimeInterval(Double(now.seconds) + Double(now.attoseconds) / 1e18)
    }

    /// The number of tasks sleeping on this clock right now.
    public var sleeperCount: Int {
        state.withLock { $0.sleepers.count }
    }

    /// The deadlines of the tasks sleeping now, earliest first.
    public var sleeperDeadlines: [Duration] {
        state.withLock { $0.sleepers.map(\.deadline).sorted() }
    }

    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: (any Error)?? = state.withLock { state in
                    if state.cancelledBeforeRegistration.remove(id) != nil { return .some(CancellationError()) }
                    let deadline = state.now + max(duration, .zero)
                    if deadline <= state.now { return .some(nil) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return .none
                }
                switch resumeNow {
                case .some(.some(let error)): continuation.resume(throwing: error)
                case .some(.none): continuation.resume()
                case .none: break
                }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                if let index = state.sleepers.firstIndex(where: { $0.id == id }) {
                    return state.sleepers.remove(at: index)
                }
                state.cancelledBeforeRegistration.insert(id)
                return nil
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and wakes every sleeper whose deadline has come, earliest first.
    public func advance(by duration: Duration) {
        let due = state.withLock { state -> [Sleeper] in
            state.now += duration
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Moves time to the earliest sleeper's deadline and wakes it; returns `false` if none sleeps.
    @discardableResult
    public func advanceToNextDeadline() -> Bool {
        let next = state.withLock { state -> Duration? in
            state.sleepers.map(\.deadline).min().map { $0 - state.now }
        }
        guard let next else { return false }
        advance(by: max(next, .zero))
        return true
    }

    /// Waits (in real time, polling briefly) until at least `count` tasks sleep on this clock;
    /// returns `false` after `timeout` of real time.
    public func waitForSleepers(_ count: Int, timeout: Duration = .seconds(30)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if sleeperCount >= count { return true }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return sleeperCount >= count
    }
}
