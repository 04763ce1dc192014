import Foundation
import KimiSwarmEngine

/// The JSON object of every type but `finished`: each type writes its own keys (`parent` and
/// nothing else as an explicit `null`).
struct RunEventFields: Codable {
    var task: String?
    var resumed: Bool?
    var replayedSteps: Int?
    var graph: TaskGraph?
    var agent: String?
    var template: String?
    var depth: Int?
    var parent: String?
    var text: String?
    var tool: String?
    var arguments: String?
    var step: String?
    var isError: Bool?
    var preview: String?
    var answer: String?
    var usage: RunEventPayload.UsageFields?
    var costUSD: String?
    var seconds: Double?
    var error: String?
    var willRetry: Bool?
    var llmCalls: Int?
    var toolCalls: Int?
    var limit: String?
    var used: String?
    var maximum: String?
    private var finished: RunEventPayload.Finished?

    enum CodingKeys: String, CodingKey {
        case task, resumed, graph, agent, template, depth, parent, text, tool, arguments, step, preview, answer, usage, seconds, error
        case limit, used, maximum
        case replayedSteps = "replayed_steps"
        case isError = "is_error"
        case costUSD = "cost_usd"
        case willRetry = "will_retry"
        case llmCalls = "llm_calls"
        case toolCalls = "tool_calls"
    }

    init(payload: RunEventPayload) {
        switch payload {
        case .started(let task, let resumed, let replayed): (self.task, self.resumed, replayedSteps) = (task, resumed, replayed)
        case .planned(let graph): self.graph = graph
        case .agentStarted(let agent, let template, let depth, let parent):
            (self.agent, self.template, self.depth, self.parent) = (agent, template, depth, parent)
        case .tokenDelta(let agent, let text): (self.agent, self.text) = (agent, text)
        case .toolCall(let agent, let tool, let arguments, let step): (self.agent, self.tool, self.arguments, self.step) = (agent, tool, arguments, step)
        case .toolResult(let agent, let tool, let isError, let preview, let step):
            (self.agent, self.tool, self.isError, self.preview, self.step) = (agent, tool, isError, preview, step)
        case .agentFinished(let agent, let answer, let usage, let cost, let seconds):
            (self.agent, self.answer, self.usage, costUSD, self.seconds) = (agent, answer, usage, cost, seconds)
        case .agentFailed(let agent, let error, let willRetry): (self.agent, self.error, self.willRetry) = (agent, error, willRetry)
        case .costUpdate(let usage, let cost, let llmCalls, let toolCalls):
            (self.usage, costUSD, self.llmCalls, self.toolCalls) = (usage, cost, llmCalls, toolCalls)
        case .budgetWarning(let limit, let used, let maximum): (self.limit, self.used, self.maximum) = (limit, used, maximum)
        case .synthesisStarted: break
        case .finished(let finished): self.finished = finished
        }
    }

    func encode(to encoder: any Encoder) throws {
        if let finished {
            try finished.encode(to: encoder)
            return
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        if agent != nil, template != nil { try container.encode(parent, forKey: .parent) }
        try container.encodeIfPresent(task, forKey: .task)
        try container.encodeIfPresent(resumed, forKey: .resumed)
        try container.encodeIfPresent(replayedSteps, forKey: .replayedSteps)
        try container.encodeIfPresent(graph, forKey: .graph)
        try container.encodeIfPresent(agent, forKey: .agent)
        try container.encodeIfPresent(template, forKey: .template)
        try container.encodeIfPresent(depth, forKey: .depth)
        try container.encodeIfPresent(text, forKey: .text)
        try container.encodeIfPresent(tool, forKey: .tool)
        try container.encodeIfPresent(arguments, forKey: .arguments)
        try container.encodeIfPresent(step, forKey: .step)
        try container.encodeIfPresent(isError, forKey: .isError)
        try container.encodeIfPresent(preview, forKey: .preview)
        try container.encodeIfPresent(answer, forKey: .answer)
        try container.encodeIfPresent(usage, forKey: .usage)
        try container.encodeIfPresent(costUSD, forKey: .costUSD)
        try container.encodeIfPresent(seconds, forKey: .seconds)
        try container.encodeIfPresent(error, forKey: .error)
        try container.encodeIfPresent(willRetry, forKey: .willRetry)
        try container.encodeIfPresent(llmCalls, forKey: .llmCalls)
        try container.encodeIfPresent(toolCalls, forKey: .toolCalls)
        try container.encodeIfPresent(limit, forKey: .limit)
        try container.encodeIfPresent(used, forKey: .used)
        try container.encodeIfPresent(maximum, forKey: .maximum)
    }

    /// The payload of `type` from these fields; `nil` when one it needs is missing.
    func payload(type: String) -> RunEventPayload? {
        switch type {
        case "started":
            guard let task, let resumed, let replayedSteps else { return nil }
            return .started(task: task, resumed: resumed, replayedSteps: replayedSteps)
        case "planned": return graph.map { .planned($0) }
        case "agent_started":
            guard let agent, let template, let depth else { return nil }
            return .agentStarted(agent: agent, template: template, depth: depth, parent: parent)
        case "token_delta":
            guard let agent, let text else { return nil }
            return .tokenDelta(agent: agent, text: text)
        case "tool_call":
            guard let agent, let tool, let arguments, let step else { return nil }
            return .toolCall(agent: agent, tool: tool, arguments: arguments, step: step)
        case "tool_result":
            guard let agent, let tool, let isError, let preview, let step else { return nil }
            return .toolResult(agent: agent, tool: tool, isError: isError, preview: preview, step: step)
        case "agent_finished":
            guard let agent, let answer, let usage, let costUSD, let seconds else { return nil }
            return .agentFinished(agent: agent, answer: answer, usage: usage, costUSD: costUSD, seconds: seconds)
        case "agent_failed":
            guard let agent, let error, let willRetry else { return nil }
            return .agentFailed(agent: agent, error: error, willRetry: willRetry)
        case "cost_update":
            guard let usage, let costUSD, let llmCalls, let toolCalls else { return nil }
            return .costUpdate(usage: usage, costUSD: costUSD, llmCalls: llmCalls, toolCalls: toolCalls)
        case "budget_warning":
            guard let limit, let used, let maximum else { return nil }
            return .budgetWarning(limit: limit, used: used, maximum: maximum)
        case "synthesis_started": return .synthesisStarted
        default: return nil
        }
    }
}
