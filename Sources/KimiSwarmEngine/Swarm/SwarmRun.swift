import Foundation
import KimiSwarmCore
import Logging
import Synchronization

/// One run of the swarm: call ``run()`` once (cancel its task to cancel the run) and read
/// ``events`` alongside it, for example in a task group.
public final class SwarmRun: Sendable {
    /// The journal step that holds the run's specification.
    static let specStep = "run"
    /// The journal step that holds the final result.
    static let resultStep = "result"

    /// The run id (the journal key).
    public let id: String
    /// What the run does.
    public let spec: RunSpec
    /// Every event of the run, in order; finishes after `.finished`. Buffered without limit,
    /// so a slow reader loses nothing.
    public let events: AsyncStream<RunEventEnvelope>

    private let engine: SwarmEngine
    private let emitter: EventEmitter
    private let startedOnce = Mutex(false)

    init(id: String, spec: RunSpec, engine: SwarmEngine) {
        self.id = id
        self.spec = spec
        self.engine = engine
        let (stream, continuation) = AsyncStream.makeStream(of: RunEventEnvelope.self, bufferingPolicy: .unbounded)
        self.events = stream
        self.emitter = EventEmitter(runID: id, clock: engine.clock, continuation: continuation)
    }

    /// Runs to the end and returns the result; failures are in the result, not thrown.
    public func run() async -> RunResult {
        let alreadyStarted = startedOnce.withLock { started in
            defer { started = true }
            return started
        }
        guard !alreadyStarted else {
            return Self.failed(id, "run() was called twice on the same SwarmRun; make a new one with resume(runID:)")
        }
        let result = await execute()
        let alreadyKept = result.status == .completed ? await hasResult() : true
        if !alreadyKept, let payload = try? JSONEncoder().encode(result) {
            // A completed run's result is kept, so resuming it (or reading it later) calls nothing.
            _ = try? await engine.journal.record(
                JournalEntry(runID: id, stepID: Self.resultStep, kind: .synthesis, payload: String(decoding: payload, as: UTF8.self)))
        }
        emitter.emit(.finished(result))
        emitter.finish()
        return result
    }

    private func hasResult() async -> Bool {
        (try? await engine.journal.entry(runID: id, stepID: Self.resultStep)) != nil
    }

    private static func failed(_ id: String, _ message: String) -> RunResult {
        RunResult(
            runID: id, status: .failed, answer: nil, error: message, limitsHit: [], graph: nil, agents: [], usage: .zero, costUSD: 0,
            llmCalls: 0, toolCalls: 0, replayedSteps: 0, measures: RunMeasures(wallSeconds: 0, criticalPathSeconds: 0, criticalPath: []))
    }

    private func execute() async -> RunResult {
        let problems = spec.limits.problems
        if !problems.isEmpty { return Self.failed(id, "invalid limits: " + problems.joined(separator: "; ")) }
        if spec.task.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return Self.failed(id, "the task is empty; say what the swarm should do")
        }
        // The journal: the spec first (a different spec under the same id is refused).
        let journaled: [JournalEntry]
        do {
            let specText = String(decoding: try JSONEncoder().encode(spec), as: UTF8.self)
            let stored = try await engine.journal.record(JournalEntry(runID: id, stepID: Self.specStep, kind: .run, payload: specText))
            if stored.payload != specText,
                (try? JSONDecoder().decode(RunSpec.self, from: Data(stored.payload.utf8))) != spec
            {
                return Self.failed(id, "run \(id) already exists with a different task or limits; resume it by id or start a new run")
            }
            journaled = try await engine.journal.entries(runID: id)
        } catch {
            return Self.failed(id, "the journal cannot be used: \(error)")
        }
        if let finished = journaled.first(where: { $0.stepID == Self.resultStep }),
            let result = try? JSONDecoder().decode(RunResult.self, from: Data(finished.payload.utf8))
        {
            emitter.emit(.started(task: spec.task, resumed: true, replayedSteps: journaled.count))
            return result
        }
        let context = RunContext(
            runID: id, spec: spec, engine: engine, replay: journaled.filter { $0.stepID != Self.specStep }, emitter: emitter)
        context.accountReplayedSteps()
        emitter.emit(.started(task: spec.task, resumed: context.journaledStepCount > 0, replayedSteps: context.journaledStepCount))
        engine.logger.info("run started", metadata: ["run_id": "\(id)", "resumed": "\(context.journaledStepCount > 0)"])

        // Set aside the synthesis's share of the budget, so a run that hits its limit can
        // still merge what it has.
        let synthesisHold: BudgetLedger.Reservation
        do {
            let output = spec.limits.maxOutputTokensPerCall
            let prompt = 8 * output
            synthesisHold = try await context.ledger.reserveCall(
                costUSD: engine.pricing.maximumCost(model: engine.tiers.plannerModel, promptTokens: prompt, maxOutputTokens: output),
                tokens: prompt + output)
        } catch {
            return finish(
                context, status: .failed, graph: nil, outcomes: [:], answer: nil,
                error: "the budget is too small for even the synthesis (\(error.message)); raise it", planSeconds: 0, synthesisSeconds: 0)
        }

        // The plan.
        let planStart = engine.clock.now()
        let graph: TaskGraph
        do {
            graph = try await resolveGraph(context)
        } catch is CancellationError {
            return finish(context, status: .cancelled, graph: nil, outcomes: [:], answer: nil, error: "cancelled", planSeconds: 0, synthesisSeconds: 0)
        } catch {
            let cancelled = Task.isCancelled
            return finish(
                context, status: cancelled ? .cancelled : .failed, graph: nil, outcomes: [:], answer: nil,
                error: cancelled ? "cancelled" : "planning failed: \((error as? AgentFailure)?.message ?? "\(error)")",
                planSeconds: (engine.clock.now() - planStart).seconds, synthesisSeconds: 0)
        }
        let planSeconds = (engine.clock.now() - planStart).seconds
        emitter.emit(.planned(graph))

        // The sub-agents.
        let outcomes = await SwarmScheduler(context: context, graph: graph).run()
        if Task.isCancelled {
            context.ledger.release(synthesisHold)
            return finish(
                context, status: .cancelled, graph: graph, outcomes: outcomes, answer: nil, error: "cancelled", planSeconds: planSeconds,
                synthesisSeconds: 0)
        }
        let stopped = context.ledger.stopped
        if let stopped, stopped.limit == "failed_sub_task" {
            context.ledger.release(synthesisHold)
            return finish(
                context, status: .failed, graph: graph, outcomes: outcomes, answer: nil, error: stopped.message, planSeconds: planSeconds,
                synthesisSeconds: 0)
        }
        let ordered = graph.tasks.compactMap { outcomes[$0.id] }
        guard ordered.contains(where: { $0.state == .completed }) else {
            context.ledger.release(synthesisHold)
            return finish(
                context, status: .failed, graph: graph, outcomes: outcomes, answer: nil,
                error: stopped?.message ?? "no sub-task finished, so there is nothing to synthesise", planSeconds: planSeconds,
                synthesisSeconds: 0)
        }
        let partial = stopped != nil || ordered.contains { $0.state != .completed }

        // The synthesis.
        emitter.emit(.synthesisStarted)
        let synthesisStart = engine.clock.now()
        do {
            let request = Synthesizer(context: context).request(graph: graph, outcomes: ordered, partial: partial)
            let response = try await context.callModel(step: "synthesis/llm", request: request, agentID: "synthesis", reservation: synthesisHold).response
            return finish(
                context, status: partial ? .partial : .completed, graph: graph, outcomes: outcomes, answer: response.text,
                error: stopped?.message, planSeconds: planSeconds, synthesisSeconds: (engine.clock.now() - synthesisStart).seconds)
        } catch {
            let cancelled = Task.isCancelled || error is CancellationError
            return finish(
                context, status: cancelled ? .cancelled : .failed, graph: graph, outcomes: outcomes, answer: nil,
                error: cancelled ? "cancelled" : "synthesis failed: \((error as? AgentFailure)?.message ?? "\(error)")",
                planSeconds: planSeconds, synthesisSeconds: (engine.clock.now() - synthesisStart).seconds)
        }
    }

    private func resolveGraph(_ context: RunContext) async throws -> TaskGraph {
        if let entry = context.replayed("plan"), let graph = try? JSONDecoder().decode(TaskGraph.self, from: Data(entry.payload.utf8)) {
            return graph
        }
        let graph: TaskGraph
        if let fixed = try engine.fixedGraph(for: spec) {
            let validator = GraphValidator(knownTemplates: Set(engine.library.templates.keys), maxTasks: spec.limits.maxSubAgents)
            let problems = validator.problems(in: fixed)
            if !problems.isEmpty { throw AgentFailure(message: "the graph is invalid: " + problems.joined(separator: "; ")) }
            graph = fixed
        } else {
            graph = try await Planner(context: context).plan()
        }
        _ = try await context.record(step: "plan", kind: .plan, payload: String(decoding: try JSONEncoder().encode(graph), as: UTF8.self))
        return graph
    }

    private func finish(
        _ context: RunContext, status: RunOutcomeStatus, graph: TaskGraph?, outcomes: [String: AgentOutcome], answer: String?, error: String?,
        planSeconds: Double, synthesisSeconds: Double
    ) -> RunResult {
        let totals = context.ledger.totals
        let wall = (engine.clock.now() - context.started).seconds
        let (path, pathSeconds) = criticalPath(context, graph: graph)
        var limits: [String] = []
        if let stopped = context.ledger.stopped, stopped.limit != "failed_sub_task" { limits.append(stopped.limit) }
        let result = RunResult(
            runID: id, status: status, answer: answer, error: error, limitsHit: limits, graph: graph,
            agents: graph?.tasks.compactMap { outcomes[$0.id] } ?? [], usage: totals.usage, costUSD: totals.costUSD,
            llmCalls: totals.llmCalls, toolCalls: totals.toolCalls, replayedSteps: context.replayedSteps,
            measures: RunMeasures(
                wallSeconds: wall, criticalPathSeconds: planSeconds + pathSeconds + synthesisSeconds,
                criticalPath: (planSeconds > 0 ? ["plan"] : []) + path + (synthesisSeconds > 0 ? ["synthesis"] : [])))
        engine.logger.info(
            "run ended",
            metadata: [
                "run_id": "\(id)", "status": "\(status.rawValue)", "cost_usd": "\(totals.costUSD)", "tokens": "\(totals.usage.totalTokens)",
                "wall_seconds": "\(wall)",
            ])
        return result
    }

    /// The longest chain of dependent sub-tasks as timed: each task's finish time counted
    /// from the chain's start, through the dependency that was last to finish.
    private func criticalPath(_ context: RunContext, graph: TaskGraph?) -> ([String], Double) {
        guard let graph else { return ([], 0) }
        var length: [String: Double] = [:]
        var previous: [String: String] = [:]
        for task in graph.topologicalOrder {
            guard let timing = context.timing(task.id) else { continue }
            let own = (timing.end - timing.start).seconds
            let best = task.dependsOn.compactMap { dependency in length[dependency].map { (dependency, $0) } }.max { $0.1 < $1.1 }
            length[task.id] = own + (best?.1 ?? 0)
            if let best { previous[task.id] = best.0 }
        }
        guard let last = length.max(by: { $0.value < $1.value }) else { return ([], 0) }
        var path = [last.key]
        while let before = previous[path[0]] { path.insert(before, at: 0) }
        return (path, last.value)
    }
}
