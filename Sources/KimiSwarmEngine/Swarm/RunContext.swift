import Foundation
import KimiSwarmCore
import Logging
import Synchronization

/// Everything the agents of one run share: the engine's parts, the journal's finished steps,
/// the budget, the event stream and the timings.
final class RunContext: Sendable {
    let runID: String
    let spec: RunSpec
    let engine: SwarmEngine
    let ledger: BudgetLedger
    let logger: Logger
    /// When the run (this execution of it) started, on the engine's clock.
    let started: Duration
    private let replay: [String: JournalEntry]
    private let emitter: EventEmitter
    private let timings = Mutex<[String: (start: Duration, end: Duration)]>([:])
    private let replayedCount = Mutex(0)

    init(runID: String, spec: RunSpec, engine: SwarmEngine, replay: [JournalEntry], emitter: EventEmitter) {
        self.runID = runID
        self.spec = spec
        self.engine = engine
        self.emitter = emitter
        self.replay = Dictionary(replay.map { ($0.stepID, $0) }, uniquingKeysWith: { first, _ in first })
        var logger = engine.logger
        logger[metadataKey: "run_id"] = "\(runID)"
        self.logger = logger
        self.started = engine.clock.now()
        self.ledger = BudgetLedger(limits: spec.limits, shared: engine.sharedBudget) { limit, used, maximum in
            emitter.emit(.budgetWarning(limit: limit, used: used, maximum: maximum))
        }
    }

    /// Steps found in the journal when the run started.
    var journaledStepCount: Int { replay.count }

    /// Steps taken from the journal during this execution.
    var replayedSteps: Int { replayedCount.withLock { $0 } }

    func emit(_ event: RunEvent) { emitter.emit(event) }

    func emitCost() {
        let totals = ledger.totals
        emitter.emit(.costUpdate(usage: totals.usage, costUSD: totals.costUSD, llmCalls: totals.llmCalls, toolCalls: totals.toolCalls))
    }

    /// Counts every journaled step's cost once, before anything runs.
    func accountReplayedSteps() {
        for entry in replay.values {
            ledger.addReplayed(usage: entry.usage, costUSD: entry.costUSD, kind: entry.kind)
        }
    }

    /// The journaled result of `step`, or `nil` when it has not finished before.
    func replayed(_ step: String) -> JournalEntry? {
        guard let entry = replay[step] else { return nil }
        replayedCount.withLock { $0 += 1 }
        return entry
    }

    /// Writes a finished step to the journal (before its result is used) and returns the
    /// stored entry (another writer's, if it got there first).
    func record(step: String, kind: JournalEntry.Kind, payload: String, usage: Usage = .zero, costUSD: Decimal = 0) async throws
        -> JournalEntry
    {
        try await engine.journal.record(
            JournalEntry(runID: runID, stepID: step, kind: kind, payload: payload, usage: usage, costUSD: costUSD))
    }

    /// The wall-time deadline, if any.
    var deadline: Duration? {
        spec.limits.maxWallSeconds.map { started + .saturating(seconds: $0) }
    }

    /// Throws when the run must stop starting work (a limit or the wall-time deadline).
    func checkCanStartWork() throws(BudgetLedger.LimitReached) {
        if let deadline, now() >= deadline {
            let reached = BudgetLedger.LimitReached(
                limit: "max_wall_time", message: "the run's wall-time limit of \((spec.limits.maxWallSeconds ?? 0).formatted()) s is reached")
            ledger.stop(reached)
            throw reached
        }
        if let stopped = ledger.stopped { throw stopped }
    }

    /// The engine clock's reading.
    func now() -> Duration { engine.clock.now() }

    func markTiming(_ id: String, start: Duration, end: Duration) {
        timings.withLock { $0[id] = (start, end) }
    }

    func timing(_ id: String) -> (start: Duration, end: Duration)? {
        timings.withLock { $0[id] }
    }
}

/// Numbers events and hands them to the run's stream.
final class EventEmitter: Sendable {
    private let runID: String
    private let clock: any SwarmClock
    private let state: Mutex<(sequence: Int, continuation: AsyncStream<RunEventEnvelope>.Continuation?)>

    init(runID: String, clock: any SwarmClock, continuation: AsyncStream<RunEventEnvelope>.Continuation) {
        self.runID = runID
        self.clock = clock
        self.state = Mutex((0, continuation))
    }

    func emit(_ event: RunEvent) {
        state.withLock { state in
            state.sequence += 1
            state.continuation?.yield(RunEventEnvelope(runID: runID, sequence: state.sequence, time: clock.date(), event: event))
        }
    }

    func finish() {
        state.withLock { state in
            state.continuation?.finish()
            state.continuation = nil
        }
    }
}
