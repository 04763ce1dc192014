import Foundation
import KimiSwarmCore
import KimiSwarmPlatform
import NIOCore

/// The gateway's answers in OpenAI's exact JSON shapes: chat completions, stream chunks,
/// model lists and embeddings.
enum GatewayWire {
    /// `usage` of a chat completion or of a stream's last chunk.
    static func usage(_ usage: Usage) -> JSONValue {
        var object: [String: JSONValue] = [
            "prompt_tokens": .int(usage.promptTokens), "completion_tokens": .int(usage.completionTokens),
            "total_tokens": .int(usage.totalTokens),
        ]
        if usage.cachedPromptTokens > 0 { object["prompt_tokens_details"] = ["cached_tokens": .int(usage.cachedPromptTokens)] }
        if usage.reasoningTokens > 0 { object["completion_tokens_details"] = ["reasoning_tokens": .int(usage.reasoningTokens)] }
        return .object(object)
    }

    /// `tool_calls` of an assistant message.
    static func toolCalls(_ calls: [ToolCall]) -> JSONValue {
        .array(calls.map { call in
            [
                "id": .string(call.id), "type": "function",
                "function": ["name": .string(call.name), "arguments": .string(call.arguments.isEmpty ? "{}" : call.arguments)],
            ]
        })
    }

    /// A whole `chat.completion` object.
    static func completion(_ response: ChatResponse, id: String, created: Int) -> JSONValue {
        var message: [String: JSONValue] = ["role": "assistant", "content": response.message.content.map { .string($0.text) } ?? .null]
        if !response.toolCalls.isEmpty { message["tool_calls"] = toolCalls(response.toolCalls) }
        if let reasoning = response.message.reasoningContent { message["reasoning_content"] = .string(reasoning) }
        let finish = response.finishReason?.rawValue ?? (response.toolCalls.isEmpty ? "stop" : "tool_calls")
        return [
            "id": .string(id), "object": "chat.completion", "created": .int(created), "model": .string(response.model),
            "choices": [["index": 0, "message": .object(message), "finish_reason": .string(finish), "logprobs": .null]],
            "usage": usage(response.usage),
        ]
    }

    /// One `chat.completion.chunk` with a single choice.
    static func chunk(id: String, created: Int, model: String, delta: JSONValue, finishReason: String? = nil) -> JSONValue {
        [
            "id": .string(id), "object": "chat.completion.chunk", "created": .int(created), "model": .string(model),
            "choices": [["index": 0, "delta": delta, "finish_reason": finishReason.map(JSONValue.string) ?? .null, "logprobs": .null]],
        ]
    }

    /// The last chunk of `stream_options.include_usage`: no choices, the usage.
    static func usageChunk(id: String, created: Int, model: String, usage: Usage) -> JSONValue {
        [
            "id": .string(id), "object": "chat.completion.chunk", "created": .int(created), "model": .string(model),
            "choices": [], "usage": self.usage(usage),
        ]
    }

    /// The delta of a stream event, or `nil` for events the client does not see as deltas.
    static func delta(for event: ChatStreamEvent) -> JSONValue? {
        switch event {
        case .contentDelta(let text):
            return ["content": .string(text)]
        case .reasoningDelta(let text):
            return ["reasoning_content": .string(text)]
        case .toolCallDelta(let delta):
            var call: [String: JSONValue] = ["index": .int(delta.index)]
            var function: [String: JSONValue] = ["arguments": .string(delta.argumentsFragment)]
            if let id = delta.id {
                call["id"] = .string(id)
                call["type"] = "function"
            }
            if let name = delta.name { function["name"] = .string(name) }
            call["function"] = .object(function)
            return ["tool_calls": [.object(call)]]
        case .usage, .finished:
            return nil
        }
    }

    /// `data: {json}\n\n`.
    static func event(_ value: JSONValue) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeString("data: ")
        buffer.writeBytes((try? JSONEncoder.sorted.encode(value)) ?? Data("{}".utf8))
        buffer.writeString("\n\n")
        return buffer
    }

    /// `data: [DONE]\n\n`.
    static let done = ByteBuffer(string: "data: [DONE]\n\n")

    /// `GET /v1/models`: `{"object": "list", "data": [{"id", "object": "model", "created", "owned_by"}]}`.
    static func modelList(_ models: [(id: String, ownedBy: String, created: Int)]) -> JSONValue {
        [
            "object": "list",
            "data": .array(models.map { ["id": .string($0.id), "object": "model", "created": .int($0.created), "owned_by": .string($0.ownedBy)] }),
        ]
    }

    /// `POST /v1/embeddings`: one `{"object": "embedding", "index", "embedding"}` per input.
    static func embeddings(_ response: EmbeddingResponse) -> JSONValue {
        [
            "object": "list", "model": .string(response.model),
            "data": .array(response.embeddings.enumerated().map { index, vector in
                ["object": "embedding", "index": .int(index), "embedding": .array(vector.map { .double(Double($0)) })]
            }),
            "usage": ["prompt_tokens": .int(response.usage.promptTokens), "total_tokens": .int(response.usage.totalTokens)],
        ]
    }
}
