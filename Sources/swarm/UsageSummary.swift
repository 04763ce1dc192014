import Foundation
import KimiSwarmCore

/// The one-line usage summary printed after an answer.
enum UsageSummary {
    /// On a cache hit nothing was spent: the line says so, and what the call would have cost.
    static func line(response: ChatResponse, cost: Decimal?, elapsed: Duration, cacheHit: Bool = false) -> String {
        let usage = response.usage
        var input = "\(usage.promptTokens) in"
        var inputDetails: [String] = []
        if usage.cachedPromptTokens > 0 { inputDetails.append("\(usage.cachedPromptTokens) cached") }
        if usage.cacheWriteTokens > 0 { inputDetails.append("\(usage.cacheWriteTokens) cache write") }
        if !inputDetails.isEmpty { input += " (\(inputDetails.joined(separator: ", ")))" }
        var output = "\(usage.completionTokens) out"
        if usage.reasoningTokens > 0 { output += " (\(usage.reasoningTokens) reasoning)" }
        var costText = cost.map { "$" + format(cost: $0) } ?? "cost unknown (model not in registry)"
        if cacheHit { costText = "cache hit, $0.00 (saved \(cost.map { "$" + format(cost: $0) } ?? "an unknown cost"))" }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return "\(response.provider)/\(response.model) · \(input) + \(output) tokens · \(costText) · \(String(format: "%.2f", seconds)) s"
    }

    /// Formats a dollar amount exactly, with at least two decimals.
    static func format(cost: Decimal) -> String {
        var text = "\(cost)"
        if !text.contains(".") { text += ".00" }
        if let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) == 2 { text += "0" }
        return text
    }
}

/// JSON lines for `swarm chat --stream --json`.
enum StreamEventJSON {
    static func line(_ event: ChatStreamEvent) -> String {
        let value: JSONValue
        switch event {
        case .contentDelta(let text): value = ["type": "content", "text": .string(text)]
        case .reasoningDelta(let text): value = ["type": "reasoning", "text": .string(text)]
        case .toolCallDelta(let delta):
            var object: [String: JSONValue] = ["type": "tool_call", "index": .int(delta.index), "arguments": .string(delta.argumentsFragment)]
            if let id = delta.id { object["id"] = .string(id) }
            if let name = delta.name { object["name"] = .string(name) }
            value = .object(object)
        case .usage(let usage):
            value = [
                "type": "usage", "prompt_tokens": .int(usage.promptTokens), "cached_prompt_tokens": .int(usage.cachedPromptTokens),
                "completion_tokens": .int(usage.completionTokens), "reasoning_tokens": .int(usage.reasoningTokens),
            ]
        case .finished(let response):
            value = [
                "type": "finished", "id": .string(response.id), "model": .string(response.model),
                "provider": .string(response.provider.rawValue), "finish_reason": response.finishReason.map { .string($0.rawValue) } ?? .null,
            ]
        }
        return value.canonicalText
    }
}
