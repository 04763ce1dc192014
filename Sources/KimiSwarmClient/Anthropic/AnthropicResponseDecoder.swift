import Foundation
import KimiSwarmCore

/// Decodes Anthropic Messages API bodies.
enum AnthropicResponseDecoder {
    static func chatResponse(_ body: [UInt8], provider: ProviderConfiguration, model: String) throws -> ChatResponse {
        guard let json = try? JSONValue(parsing: Data(body)) else {
            throw ProviderErrorMapper.malformed("message (not JSON)", provider: provider)
        }
        if json["type"]?.stringValue == "error" {
            throw ProviderErrorMapper.mapStreamError(json, provider: provider)
        }
        guard let blocks = json["content"]?.arrayValue else {
            throw ProviderErrorMapper.malformed("message (no content array)", provider: provider)
        }
        var text = ""
        var reasoning = ""
        var signature: String?
        var toolCalls: [ToolCall] = []
        for block in blocks {
            switch block["type"]?.stringValue {
            case "text":
                text += block["text"]?.stringValue ?? ""
            case "thinking":
                reasoning += block["thinking"]?.stringValue ?? ""
                if let value = block["signature"]?.stringValue { signature = value }
            case "tool_use":
                guard let id = block["id"]?.stringValue, let name = block["name"]?.stringValue else {
                    throw ProviderErrorMapper.malformed("tool_use block (no id or name)", provider: provider)
                }
                toolCalls.append(ToolCall(id: id, name: name, arguments: (block["input"] ?? .object([:])).canonicalText))
            default:
                continue
            }
        }
        let message = ChatMessage(
            role: .assistant,
            content: (text.isEmpty && !toolCalls.isEmpty) ? nil : .text(text),
            toolCalls: toolCalls,
            reasoningContent: reasoning.isEmpty ? nil : reasoning,
            reasoningSignature: signature)
        return ChatResponse(
            id: json["id"]?.stringValue ?? "",
            model: json["model"]?.stringValue ?? model,
            provider: provider.id,
            message: message,
            finishReason: json["stop_reason"]?.stringValue.map(finishReason),
            usage: json["usage"].map(usage) ?? .zero)
    }

    static func finishReason(_ raw: String) -> FinishReason {
        switch raw {
        case "end_turn", "stop_sequence": return .stop
        case "max_tokens", "model_context_window_exceeded": return .length
        case "tool_use": return .toolCalls
        case "refusal": return .contentFilter
        default: return FinishReason(rawValue: raw)
        }
    }

    /// Anthropic counts cache reads and writes apart from `input_tokens`; they are added back
    /// so that `promptTokens` is every input token.
    static func usage(_ json: JSONValue) -> Usage {
        let input = json["input_tokens"]?.intValue ?? 0
        let cacheRead = json["cache_read_input_tokens"]?.intValue ?? 0
        let cacheWrite = json["cache_creation_input_tokens"]?.intValue ?? 0
        return Usage(
            promptTokens: input + cacheRead + cacheWrite, cachedPromptTokens: cacheRead, cacheWriteTokens: cacheWrite,
            completionTokens: json["output_tokens"]?.intValue ?? 0)
    }

    static func models(_ body: [UInt8], provider: ProviderConfiguration) throws -> [ProviderModel] {
        guard let json = try? JSONValue(parsing: Data(body)), let items = json["data"]?.arrayValue else {
            throw ProviderErrorMapper.malformed("model list", provider: provider)
        }
        let formatter = ISO8601DateFormatter()
        return items.compactMap { item in
            guard let id = item["id"]?.stringValue else { return nil }
            return ProviderModel(
                id: id, provider: provider.id, ownedBy: "anthropic", displayName: item["display_name"]?.stringValue,
                created: item["created_at"]?.stringValue.flatMap { formatter.date(from: $0) })
        }
    }
}
