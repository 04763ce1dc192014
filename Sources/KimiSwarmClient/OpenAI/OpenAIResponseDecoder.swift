import Foundation
import KimiSwarmCore

/// Decodes OpenAI-compatible response bodies: chat completions, usage, embeddings, models.
enum OpenAIResponseDecoder {
    static func chatResponse(_ body: [UInt8], provider: ProviderConfiguration, model: String, stripSpecialTokens: Bool) throws
        -> ChatResponse
    {
        guard let json = try? JSONValue(parsing: Data(body)) else {
            throw ProviderErrorMapper.malformed("chat completion (not JSON)", provider: provider)
        }
        if json["error"] != nil, json["choices"] == nil {
            throw ProviderErrorMapper.mapStreamError(json, provider: provider)
        }
        guard let choice = json["choices"]?.arrayValue?.first, let message = choice["message"] else {
            throw ProviderErrorMapper.malformed("chat completion (no choices[0].message)", provider: provider)
        }
        var content = message["content"]?.stringValue
        if content == nil, let parts = message["content"]?.arrayValue {
            content = parts.compactMap { $0["text"]?.stringValue }.joined()
        }
        var reasoning = message["reasoning_content"]?.stringValue ?? message["reasoning"]?.stringValue
        if stripSpecialTokens {
            content = content.map(SpecialTokenFilter.strip)
            reasoning = reasoning.map(SpecialTokenFilter.strip)
        }
        let toolCalls = try (message["tool_calls"]?.arrayValue ?? []).enumerated().map { position, call in
            guard let function = call["function"], let name = function["name"]?.stringValue else {
                throw ProviderErrorMapper.malformed("tool call (no function name)", provider: provider)
            }
            let arguments = function["arguments"]?.stringValue ?? function["arguments"].map { $0.canonicalText } ?? "{}"
            return ToolCall(id: call["id"]?.stringValue ?? "call_\(position)", name: name, arguments: arguments)
        }
        let assistant = ChatMessage(
            role: .assistant,
            content: (content == nil && !toolCalls.isEmpty) ? nil : .text(content ?? ""),
            toolCalls: toolCalls,
            reasoningContent: (reasoning?.isEmpty ?? true) ? nil : reasoning)
        return ChatResponse(
            id: json["id"]?.stringValue ?? "",
            model: json["model"]?.stringValue ?? model,
            provider: provider.id,
            message: assistant,
            finishReason: choice["finish_reason"]?.stringValue.map(finishReason),
            usage: json["usage"].flatMap(usage) ?? .zero,
            created: json["created"]?.doubleValue.map { Date(timeIntervalSince1970: $0) })
    }

    static func finishReason(_ raw: String) -> FinishReason {
        switch raw {
        case "tool_calls", "function_call": return .toolCalls
        case "stop", "eos", "end_turn": return .stop
        case "length", "max_tokens": return .length
        case "content_filter": return .contentFilter
        default: return FinishReason(rawValue: raw)
        }
    }

    /// Reads `usage`; `nil` when absent or null. Cached tokens come from
    /// `prompt_tokens_details.cached_tokens` or Moonshot's top-level `cached_tokens`.
    static func usage(_ json: JSONValue) -> Usage? {
        guard case .object = json else { return nil }
        let prompt = json["prompt_tokens"]?.intValue ?? 0
        let completion = json["completion_tokens"]?.intValue ?? 0
        let cached = json["prompt_tokens_details"]?["cached_tokens"]?.intValue ?? json["cached_tokens"]?.intValue ?? 0
        let reasoning = json["completion_tokens_details"]?["reasoning_tokens"]?.intValue ?? 0
        return Usage(promptTokens: prompt, cachedPromptTokens: cached, completionTokens: completion, reasoningTokens: reasoning)
    }

    static func embeddings(_ body: [UInt8], provider: ProviderConfiguration, model: String, expected: Int) throws -> EmbeddingResponse {
        guard let json = try? JSONValue(parsing: Data(body)), let data = json["data"]?.arrayValue else {
            throw ProviderErrorMapper.malformed("embeddings response", provider: provider)
        }
        var vectors = [[Float]?](repeating: nil, count: expected)
        for (position, item) in data.enumerated() {
            let index = item["index"]?.intValue ?? position
            guard index >= 0, index < expected, let values = item["embedding"]?.arrayValue else {
                throw ProviderErrorMapper.malformed("embeddings response (bad index or vector)", provider: provider)
            }
            vectors[index] = try values.map { value in
                guard let number = value.doubleValue else {
                    throw ProviderErrorMapper.malformed("embeddings response (non-numeric vector)", provider: provider)
                }
                return Float(number)
            }
        }
        let complete = vectors.compactMap { $0 }
        guard complete.count == expected else {
            throw ProviderErrorMapper.malformed("embeddings response (\(complete.count) vectors for \(expected) inputs)", provider: provider)
        }
        let usage = json["usage"].flatMap(usage) ?? .zero
        return EmbeddingResponse(
            model: json["model"]?.stringValue ?? model, provider: provider.id, embeddings: complete,
            usage: Usage(promptTokens: usage.promptTokens))
    }

    static func models(_ body: [UInt8], provider: ProviderConfiguration) throws -> [ProviderModel] {
        guard let json = try? JSONValue(parsing: Data(body)) else {
            throw ProviderErrorMapper.malformed("model list", provider: provider)
        }
        let items = json["data"]?.arrayValue ?? json["models"]?.arrayValue ?? []
        return items.compactMap { item in
            guard let id = item["id"]?.stringValue ?? item["name"]?.stringValue else { return nil }
            return ProviderModel(
                id: id, provider: provider.id, ownedBy: item["owned_by"]?.stringValue,
                displayName: item["display_name"]?.stringValue ?? item["name"]?.stringValue,
                created: item["created"]?.doubleValue.map { Date(timeIntervalSince1970: $0) })
        }
    }
}
