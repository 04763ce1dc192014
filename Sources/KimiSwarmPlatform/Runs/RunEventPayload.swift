import Foundation
package import KimiSwarmCore
package import KimiSwarmEngine

/// A run's event as the platform stores and streams it: a type (`agent_started`,
/// `token_delta`...) and its fields, one Codable value. Its JSON (sorted keys, see
/// ``encoded()``) is the `data` of the stored row, of an SSE event, of a WebSocket frame and
/// what the dashboard reads. Money is a decimal string, so no client rounds it.
package enum RunEventPayload: Sendable, Hashable {
    case started(task: String, resumed: Bool, replayedSteps: Int)
    case planned(TaskGraph)
    case agentStarted(agent: String, template: String, depth: Int, parent: String?)
    case tokenDelta(agent: String, text: String)
    case toolCall(agent: String, tool: String, arguments: String, step: String)
    case toolResult(agent: String, tool: String, isError: Bool, preview: String, step: String)
    case agentFinished(agent: String, answer: String, usage: UsageFields, costUSD: String, seconds: Double)
    case agentFailed(agent: String, error: String, willRetry: Bool)
    case costUpdate(usage: UsageFields, costUSD: String, llmCalls: Int, toolCalls: Int)
    case budgetWarning(limit: String, used: String, maximum: String)
    case synthesisStarted
    /// The end of the run: the engine's totals, or (a run that ended without the engine:
    /// cancelled while queued, a dead job) only the stored status and why.
    case finished(Finished)

    /// Tokens by kind, as events show them.
    package struct UsageFields: Codable, Sendable, Hashable {
        var promptTokens: Int
        var completionTokens: Int
        var cachedPromptTokens: Int
        var reasoningTokens: Int
        var totalTokens: Int

        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
            case cachedPromptTokens = "cached_prompt_tokens"
            case reasoningTokens = "reasoning_tokens"
            case totalTokens = "total_tokens"
        }

        package init(_ usage: Usage) {
            promptTokens = usage.promptTokens
            completionTokens = usage.completionTokens
            cachedPromptTokens = usage.cachedPromptTokens
            reasoningTokens = usage.reasoningTokens
            totalTokens = usage.promptTokens + usage.completionTokens
        }
    }

    /// The fields of `finished`.
    package struct Finished: Codable, Sendable, Hashable {
        package var status: String
        package var error: String?
        package var totals: Totals?

        /// What the engine counted.
        package struct Totals: Codable, Sendable, Hashable {
            var limitsHit: [String]
            var usage: UsageFields
            var costUSD: String
            var llmCalls: Int
            var toolCalls: Int
            var replayedSteps: Int
        }

        package init(status: String, error: String?, totals: Totals? = nil) {
            self.status = status
            self.error = error
            self.totals = totals
        }

        enum CodingKeys: String, CodingKey {
            case status, error, usage
            case limitsHit = "limits_hit"
            case costUSD = "cost_usd"
            case llmCalls = "llm_calls"
            case toolCalls = "tool_calls"
            case replayedSteps = "replayed_steps"
        }

        package init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            status = try container.decode(String.self, forKey: .status)
            error = try container.decodeIfPresent(String.self, forKey: .error)
            if let usage = try container.decodeIfPresent(UsageFields.self, forKey: .usage) {
                totals = Totals(
                    limitsHit: try container.decodeIfPresent([String].self, forKey: .limitsHit) ?? [], usage: usage,
                    costUSD: try container.decodeIfPresent(String.self, forKey: .costUSD) ?? "0",
                    llmCalls: try container.decodeIfPresent(Int.self, forKey: .llmCalls) ?? 0,
                    toolCalls: try container.decodeIfPresent(Int.self, forKey: .toolCalls) ?? 0,
                    replayedSteps: try container.decodeIfPresent(Int.self, forKey: .replayedSteps) ?? 0)
            }
        }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(status, forKey: .status)
            guard let totals else {
                try container.encodeIfPresent(error, forKey: .error)
                return
            }
            // The engine's end always names its error, `null` when there is none.
            try container.encode(error, forKey: .error)
            try container.encode(totals.limitsHit, forKey: .limitsHit)
            try container.encode(totals.usage, forKey: .usage)
            try container.encode(totals.costUSD, forKey: .costUSD)
            try container.encode(totals.llmCalls, forKey: .llmCalls)
            try container.encode(totals.toolCalls, forKey: .toolCalls)
            try container.encode(totals.replayedSteps, forKey: .replayedSteps)
        }
    }

    /// The payload of an engine event.
    package init(_ event: KimiSwarmEngine.RunEvent) {
        switch event {
        case .started(let task, let resumed, let replayed): self = .started(task: task, resumed: resumed, replayedSteps: replayed)
        case .planned(let graph): self = .planned(graph)
        case .agentStarted(let agent, let template, let depth, let parent):
            self = .agentStarted(agent: agent, template: template, depth: depth, parent: parent)
        case .tokenDelta(let agent, let text): self = .tokenDelta(agent: agent, text: text)
        case .toolCall(let agent, let tool, let arguments, let step):
            self = .toolCall(agent: agent, tool: tool, arguments: String(arguments.prefix(4000)), step: step)
        case .toolResult(let agent, let tool, let isError, let preview, let step):
            self = .toolResult(agent: agent, tool: tool, isError: isError, preview: preview, step: step)
        case .agentFinished(let agent, let answer, let usage, let cost, let seconds):
            self = .agentFinished(agent: agent, answer: answer, usage: UsageFields(usage), costUSD: "\(cost)", seconds: seconds)
        case .agentFailed(let agent, let error, let willRetry): self = .agentFailed(agent: agent, error: error, willRetry: willRetry)
        case .costUpdate(let usage, let cost, let llmCalls, let toolCalls):
            self = .costUpdate(usage: UsageFields(usage), costUSD: "\(cost)", llmCalls: llmCalls, toolCalls: toolCalls)
        case .budgetWarning(let limit, let used, let maximum): self = .budgetWarning(limit: limit, used: used, maximum: maximum)
        case .synthesisStarted: self = .synthesisStarted
        case .finished(let result):
            self = .finished(
                Finished(
                    status: result.status.rawValue, error: result.error,
                    totals: .init(
                        limitsHit: result.limitsHit, usage: UsageFields(result.usage), costUSD: "\(result.costUSD)", llmCalls: result.llmCalls,
                        toolCalls: result.toolCalls, replayedSteps: result.replayedSteps)))
        }
    }

    /// The stored and streamed type name.
    package var type: String {
        switch self {
        case .started: "started"
        case .planned: "planned"
        case .agentStarted: "agent_started"
        case .tokenDelta: "token_delta"
        case .toolCall: "tool_call"
        case .toolResult: "tool_result"
        case .agentFinished: "agent_finished"
        case .agentFailed: "agent_failed"
        case .costUpdate: "cost_update"
        case .budgetWarning: "budget_warning"
        case .synthesisStarted: "synthesis_started"
        case .finished: "finished"
        }
    }

    /// The agent the event is about, if any.
    package var agent: String? {
        switch self {
        case .agentStarted(let agent, _, _, _), .tokenDelta(let agent, _), .toolCall(let agent, _, _, _), .toolResult(let agent, _, _, _, _),
            .agentFinished(let agent, _, _, _, _), .agentFailed(let agent, _, _):
            agent
        default: nil
        }
    }

    /// The JSON text of the fields (sorted keys): the `data` of the stored row and of the streams.
    package func encoded() -> String {
        let data = (try? JSONEncoder.sorted.encode(RunEventFields(payload: self))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads a stored event back; `nil` for a type this version does not know or malformed data.
    package init?(type: String, data: String) {
        let bytes = Data(data.utf8)
        if type == "finished" {
            guard let finished = try? JSONDecoder().decode(Finished.self, from: bytes) else { return nil }
            self = .finished(finished)
            return
        }
        guard let payload = (try? JSONDecoder().decode(RunEventFields.self, from: bytes))?.payload(type: type) else { return nil }
        self = payload
    }
}
