import Foundation
import KimiSwarmCore

/// Decodes Anthropic's SSE events (`message_start`, `content_block_start`,
/// `content_block_delta` with `text_delta` / `thinking_delta` / `signature_delta` /
/// `input_json_delta`, `content_block_stop`, `message_delta`, `message_stop`, `ping`,
/// `error`) into ``ChatStreamEvent``s.
struct AnthropicStreamDecoder: StreamEventDecoder {
    let provider: ProviderConfiguration
    let requestedModel: String

    private var accumulator = ChatStreamAccumulator()
    /// Content block index → tool call index, for `tool_use` blocks.
    private var toolIndexByBlock: [Int: Int] = [:]
    private var inputUsage = Usage()
    private var outputTokens = 0
    private(set) var isDone = false
    private(set) var isComplete = false

    init(provider: ProviderConfiguration, requestedModel: String) {
        self.provider = provider
        self.requestedModel = requestedModel
    }

    mutating func decode(_ event: ServerSentEvent) throws -> [ChatStreamEvent] {
        guard !event.data.isEmpty else { return [] }
        guard let json = try? JSONValue(parsing: event.data) else {
            throw ProviderErrorMapper.malformed("stream event (not JSON)", provider: provider)
        }
        let type = event.event ?? json["type"]?.stringValue ?? ""
        var events: [ChatStreamEvent] = []
        switch type {
        case "message_start":
            let message = json["message"] ?? .object([:])
            accumulator.id = message["id"]?.stringValue
            accumulator.model = message["model"]?.stringValue
            if let usage = message["usage"] {
                inputUsage = AnthropicResponseDecoder.usage(usage)
                outputTokens = usage["output_tokens"]?.intValue ?? 0
            }
        case "content_block_start":
            let index = json["index"]?.intValue ?? 0
            let block = json["content_block"] ?? .object([:])
            switch block["type"]?.stringValue {
            case "tool_use":
                let toolIndex = toolIndexByBlock.count
                toolIndexByBlock[index] = toolIndex
                events.append(
                    .toolCallDelta(ToolCallDelta(index: toolIndex, id: block["id"]?.stringValue, name: block["name"]?.stringValue)))
            case "text":
                if let text = block["text"]?.stringValue, !text.isEmpty { events.append(.contentDelta(text)) }
            case "thinking":
                if let text = block["thinking"]?.stringValue, !text.isEmpty { events.append(.reasoningDelta(text)) }
            default:
                break
            }
        case "content_block_delta":
            let index = json["index"]?.intValue ?? 0
            let delta = json["delta"] ?? .object([:])
            switch delta["type"]?.stringValue {
            case "text_delta":
                if let text = delta["text"]?.stringValue, !text.isEmpty { events.append(.contentDelta(text)) }
            case "thinking_delta":
                if let text = delta["thinking"]?.stringValue, !text.isEmpty { events.append(.reasoningDelta(text)) }
            case "signature_delta":
                if let signature = delta["signature"]?.stringValue { accumulator.appendReasoningSignature(signature) }
            case "input_json_delta":
                guard let toolIndex = toolIndexByBlock[index] else {
                    throw ProviderErrorMapper.malformed("stream (input_json_delta for a block that is not a tool_use)", provider: provider)
                }
                let fragment = delta["partial_json"]?.stringValue ?? ""
                if !fragment.isEmpty { events.append(.toolCallDelta(ToolCallDelta(index: toolIndex, argumentsFragment: fragment))) }
            default:
                break
            }
        case "message_delta":
            if let reason = json["delta"]?["stop_reason"]?.stringValue {
                accumulator.finishReason = AnthropicResponseDecoder.finishReason(reason)
                isComplete = true
            }
            if let usage = json["usage"] {
                outputTokens = usage["output_tokens"]?.intValue ?? outputTokens
                if usage["input_tokens"] != nil || usage["cache_read_input_tokens"] != nil {
                    inputUsage = AnthropicResponseDecoder.usage(usage)
                }
                var total = inputUsage
                total.completionTokens = outputTokens
                events.append(.usage(total))
            }
        case "message_stop":
            isDone = true
        case "error":
            throw ProviderErrorMapper.mapStreamError(json, provider: provider)
        default:
            break  // ping and future event types
        }
        for event in events { accumulator.apply(event) }
        return events
    }

    mutating func flush() -> [ChatStreamEvent] {
        guard accumulator.usage == nil else { return [] }
        var total = inputUsage
        total.completionTokens = outputTokens
        accumulator.apply(.usage(total))
        return [.usage(total)]
    }

    func finalResponse() -> ChatResponse {
        var response = accumulator.response(provider: provider.id, fallbackModel: requestedModel)
        // A tool_use block whose input never streamed a fragment had empty input.
        response.message.toolCalls = response.message.toolCalls.map { call in
            var call = call
            if call.arguments.isEmpty { call.arguments = "{}" }
            return call
        }
        return response
    }
}
