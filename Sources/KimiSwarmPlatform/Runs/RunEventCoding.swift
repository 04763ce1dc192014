package import Foundation
package import KimiSwarmCore
package import KimiSwarmEngine

/// The engine's events as stored and streamed: a type (`agent_started`, `token_delta`...) and
/// a JSON object. Money is a decimal string, so no client rounds it.
package enum RunEventCoding {
    package static func encode(_ event: KimiSwarmEngine.RunEvent) -> (type: String, data: String) {
        let (type, fields) = describe(event)
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return (type, String(decoding: data, as: UTF8.self))
    }

    package static func usage(_ usage: Usage) -> [String: Any] {
        [
            "prompt_tokens": usage.promptTokens, "completion_tokens": usage.completionTokens,
            "cached_prompt_tokens": usage.cachedPromptTokens, "reasoning_tokens": usage.reasoningTokens,
            "total_tokens": usage.promptTokens + usage.completionTokens,
        ]
    }

    package static func money(_ value: Decimal) -> String { "\(value)" }

    package static func jsonObject<T: Encodable>(_ value: T) -> Any {
        guard let data = try? JSONEncoder().encode(value), let object = try? JSONSerialization.jsonObject(with: data) else { return NSNull() }
        return object
    }

    package static func describe(_ event: KimiSwarmEngine.RunEvent) -> (String, [String: Any]) {
        switch event {
        case .started(let task, let resumed, let replayed):
            return ("started", ["task": task, "resumed": resumed, "replayed_steps": replayed])
        case .planned(let graph):
            return ("planned", ["graph": jsonObject(graph)])
        case .agentStarted(let agent, let template, let depth, let parent):
            return ("agent_started", ["agent": agent, "template": template, "depth": depth, "parent": parent ?? NSNull()])
        case .tokenDelta(let agent, let text):
            return ("token_delta", ["agent": agent, "text": text])
        case .toolCall(let agent, let tool, let arguments, let step):
            return ("tool_call", ["agent": agent, "tool": tool, "arguments": String(arguments.prefix(4000)), "step": step])
        case .toolResult(let agent, let tool, let isError, let preview, let step):
            return ("tool_result", ["agent": agent, "tool": tool, "is_error": isError, "preview": preview, "step": step])
        case .agentFinished(let agent, let answer, let usage, let cost, let seconds):
            return ("agent_finished", ["agent": agent, "answer": answer, "usage": self.usage(usage), "cost_usd": money(cost), "seconds": seconds])
        case .agentFailed(let agent, let error, let willRetry):
            return ("agent_failed", ["agent": agent, "error": error, "will_retry": willRetry])
        case .costUpdate(let usage, let cost, let llmCalls, let toolCalls):
            return ("cost_update", ["usage": self.usage(usage), "cost_usd": money(cost), "llm_calls": llmCalls, "tool_calls": toolCalls])
        case .budgetWarning(let limit, let used, let maximum):
            return ("budget_warning", ["limit": limit, "used": used, "maximum": maximum])
        case .synthesisStarted:
            return ("synthesis_started", [:])
        case .finished(let result):
            return (
                "finished",
                [
                    "status": result.status.rawValue, "error": result.error ?? NSNull(), "limits_hit": result.limitsHit,
                    "usage": usage(result.usage), "cost_usd": money(result.costUSD), "llm_calls": result.llmCalls,
                    "tool_calls": result.toolCalls, "replayed_steps": result.replayedSteps,
                ]
            )
        }
    }
}
