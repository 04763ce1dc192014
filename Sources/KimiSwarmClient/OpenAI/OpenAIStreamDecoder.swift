import Foundation
import KimiSwarmCore

/// Decodes OpenAI-compatible `data: {chunk}` events into ``ChatStreamEvent``s.
///
/// Handles tool-call argument fragments joined by `index`, reasoning deltas
/// (`reasoning_content` or `reasoning`), usage in a final chunk with empty `choices` or inside
/// `choices[0].usage` (Moonshot), in-stream errors, and Kimi special tokens split across chunks.
struct OpenAIStreamDecoder: StreamEventDecoder {
    let provider: ProviderConfiguration
    let requestedModel: String
    let stripSpecialTokens: Bool

    private var accumulator = ChatStreamAccumulator()
    private var contentFilter = SpecialTokenFilter()
    private var reasoningFilter = SpecialTokenFilter()
    private(set) var isDone = false
    private(set) var isComplete = false

    init(provider: ProviderConfiguration, requestedModel: String, stripSpecialTokens: Bool) {
        self.provider = provider
        self.requestedModel = requestedModel
        self.stripSpecialTokens = stripSpecialTokens
    }

    mutating func decode(_ event: ServerSentEvent) throws -> [ChatStreamEvent] {
        let data = event.data.trimmingCharacters(in: .whitespaces)
        if data == "[DONE]" {
            isDone = true
            return []
        }
        if data.isEmpty { return [] }
        guard let json = try? JSONValue(parsing: data) else {
            throw ProviderErrorMapper.malformed("stream chunk (not JSON)", provider: provider)
        }
        if json["error"] != nil {
            throw ProviderErrorMapper.mapStreamError(json, provider: provider)
        }
        var events: [ChatStreamEvent] = []
        if accumulator.id == nil, let id = json["id"]?.stringValue { accumulator.id = id }
        if accumulator.model == nil, let model = json["model"]?.stringValue { accumulator.model = model }
        var usage: Usage?
        if let choice = json["choices"]?.arrayValue?.first {
            let delta = choice["delta"] ?? choice["message"] ?? .object([:])
            if let reasoning = delta["reasoning_content"]?.stringValue ?? delta["reasoning"]?.stringValue, !reasoning.isEmpty {
                let text = stripSpecialTokens ? reasoningFilter.feed(reasoning) : reasoning
                if !text.isEmpty { events.append(.reasoningDelta(text)) }
            }
            if let content = delta["content"]?.stringValue, !content.isEmpty {
                let text = stripSpecialTokens ? contentFilter.feed(content) : content
                if !text.isEmpty { events.append(.contentDelta(text)) }
            }
            for (position, call) in (delta["tool_calls"]?.arrayValue ?? []).enumerated() {
                let function = call["function"]
                let arguments = function?["arguments"]?.stringValue ?? function?["arguments"].map { $0.isNull ? "" : $0.canonicalText } ?? ""
                events.append(
                    .toolCallDelta(
                        ToolCallDelta(
                            index: call["index"]?.intValue ?? position, id: call["id"]?.stringValue,
                            name: function?["name"]?.stringValue, argumentsFragment: arguments)))
            }
            if let reason = choice["finish_reason"]?.stringValue {
                accumulator.finishReason = OpenAIResponseDecoder.finishReason(reason)
                isComplete = true
            }
            if let choiceUsage = choice["usage"].flatMap(OpenAIResponseDecoder.usage) { usage = choiceUsage }
        }
        if let topUsage = json["usage"].flatMap(OpenAIResponseDecoder.usage) { usage = topUsage }
        if let usage { events.append(.usage(usage)) }
        for event in events { accumulator.apply(event) }
        return events
    }

    mutating func flush() -> [ChatStreamEvent] {
        var events: [ChatStreamEvent] = []
        if stripSpecialTokens {
            let reasoning = reasoningFilter.flush()
            if !reasoning.isEmpty { events.append(.reasoningDelta(reasoning)) }
            let content = contentFilter.flush()
            if !content.isEmpty { events.append(.contentDelta(content)) }
        }
        for event in events { accumulator.apply(event) }
        return events
    }

    func finalResponse() -> ChatResponse {
        accumulator.response(provider: provider.id, fallbackModel: requestedModel)
    }
}
