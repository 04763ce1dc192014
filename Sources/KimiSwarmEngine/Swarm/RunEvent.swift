public import Foundation
public import KimiSwarmCore

/// Something that happened in a run, in the order it happened.
public enum RunEvent: Sendable, Hashable {
    /// The run started (or resumed: `resumed` is true and `replayedSteps` finished steps
    /// come from the journal).
    case started(task: String, resumed: Bool, replayedSteps: Int)
    /// The plan is known.
    case planned(TaskGraph)
    /// A sub-agent started; `parent` is the agent that delegated to it.
    case agentStarted(agent: String, template: String, depth: Int, parent: String?)
    /// Text streamed by a sub-agent's model.
    case tokenDelta(agent: String, text: String)
    /// A sub-agent called a tool.
    case toolCall(agent: String, tool: String, arguments: String, step: String)
    /// A tool answered (`isError` when it failed or was refused).
    case toolResult(agent: String, tool: String, isError: Bool, preview: String, step: String)
    /// A sub-agent finished with its answer.
    case agentFinished(agent: String, answer: String, usage: Usage, costUSD: Decimal, seconds: Double)
    /// A sub-agent failed (`willRetry` when the policy runs it again).
    case agentFailed(agent: String, error: String, willRetry: Bool)
    /// Run totals after a call was accounted.
    case costUpdate(usage: Usage, costUSD: Decimal, llmCalls: Int, toolCalls: Int)
    /// A budget is 80 % used (or exhausted).
    case budgetWarning(limit: String, used: String, maximum: String)
    /// The synthesis call started.
    case synthesisStarted
    /// The run ended.
    case finished(RunResult)
}

/// An event with its position in the run.
public struct RunEventEnvelope: Sendable, Hashable {
    /// The run.
    public var runID: String
    /// 1, 2, 3... within this execution of the run.
    public var sequence: Int
    /// When it happened.
    public var time: Date
    /// What happened.
    public var event: RunEvent
}

/// How a run ended.
public enum RunOutcomeStatus: String, Sendable, Hashable, Codable {
    /// Every sub-task finished and the synthesis merged them.
    case completed
    /// A limit stopped new work or sub-tasks were skipped; the answer covers what finished.
    case partial
    /// The run failed; `error` says why.
    case failed
    /// The run was cancelled.
    case cancelled
}

/// The outcome of a run.
public struct RunResult: Sendable, Hashable, Codable {
    public var runID: String
    public var status: RunOutcomeStatus
    /// The synthesised answer (Markdown), when there is one.
    public var answer: String?
    /// Why the run failed or is partial.
    public var error: String?
    /// Limits that stopped work (`max_cost_usd`, `max_wall_time`...).
    public var limitsHit: [String]
    /// The plan that ran.
    public var graph: TaskGraph?
    /// Per sub-agent outcomes, in plan order.
    public var agents: [AgentOutcome]
    /// All tokens of the run (replayed steps included once).
    public var usage: Usage
    /// All cost of the run in USD, exactly (replayed steps included once).
    public var costUSD: Decimal
    /// Model calls and tool calls of the run.
    public var llmCalls: Int
    public var toolCalls: Int
    /// Steps replayed from the journal instead of executed.
    public var replayedSteps: Int
    /// Timing of this execution.
    public var measures: RunMeasures
}

/// One sub-agent's outcome.
public struct AgentOutcome: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable { case completed, failed, skipped, notStarted = "not_started" }
    public var id: String
    public var template: String
    public var state: State
    public var answer: String?
    public var error: String?
    public var usage: Usage
    public var costUSD: Decimal
    public var toolCalls: Int
    public var seconds: Double
}

/// Wall time against the critical path: how much the scheduler added to the longest chain.
public struct RunMeasures: Sendable, Hashable, Codable {
    /// From start to the end of the synthesis.
    public var wallSeconds: Double
    /// The longest chain of dependent steps as timed: planning, the slowest dependency chain of
    /// sub-agents, synthesis.
    public var criticalPathSeconds: Double
    /// The ids on that chain.
    public var criticalPath: [String]

    /// `wallSeconds / criticalPathSeconds` (1.0 means the scheduler added nothing).
    public var ratio: Double { criticalPathSeconds > 0 ? wallSeconds / criticalPathSeconds : 0 }
}
