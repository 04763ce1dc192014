import HTTPTypes
import Hummingbird
import KimiSwarmCore
import KimiSwarmPlatform
import Logging
import NIOCore

/// A streamed chat completion (``GatewayStream``) relayed as OpenAI server-sent events:
/// `data: {chunk}` for each delta, a last chunk with `finish_reason`, one with `usage` when the
/// client asked (`stream_options.include_usage`), then `data: [DONE]`; an upstream failure
/// ends with an error event and `data: [DONE]`.
///
/// A client that disconnects ends the relay at the next write; the stream is then closed,
/// which leaves the upstream iteration (closing the upstream connection) and bills the call
/// for what was delivered.
struct GatewayChatStream {
    let stream: GatewayStream
    /// `stream_options.include_usage`.
    let includeUsage: Bool
    let logger: Logger

    func response() -> Response {
        let relay = self
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no"],
            body: ResponseBody { writer in try await relay.relay(to: &writer) })
    }

    private func relay(to writer: inout any ResponseBodyWriter) async throws {
        let (id, created) = (stream.id, stream.created)
        do {
            try await writer.write(GatewayWire.event(GatewayWire.chunk(id: id, created: created, model: stream.model, delta: ["role": "assistant", "content": ""])))
            for await event in stream {
                switch event {
                case .delta(let delta):
                    if let delta = GatewayWire.delta(for: delta) {
                        try await writer.write(GatewayWire.event(GatewayWire.chunk(id: id, created: created, model: stream.model, delta: delta)))
                    }
                case .finished(let final):
                    let reason = final.finishReason?.rawValue ?? (final.toolCalls.isEmpty ? "stop" : "tool_calls")
                    var last = GatewayWire.event(GatewayWire.chunk(id: id, created: created, model: final.model, delta: [:], finishReason: reason))
                    if includeUsage {
                        var usageChunk = GatewayWire.event(GatewayWire.usageChunk(id: id, created: created, model: final.model, usage: final.usage))
                        last.writeBuffer(&usageChunk)
                    }
                    last.writeImmutableBuffer(GatewayWire.done)
                    try await writer.write(last)
                case .failed(let error):
                    let apiError = ErrorMiddleware.apiError(for: error, logger: logger)
                    let errorBody: JSONValue = [
                        "error": ["type": .string(apiError.type), "code": .string(apiError.type), "message": .string(apiError.message), "param": .null]
                    ]
                    var last = GatewayWire.event(errorBody)
                    last.writeImmutableBuffer(GatewayWire.done)
                    try await writer.write(last)
                }
            }
            try await writer.finish(nil)
        } catch {
            // The client went away (or the server is stopping): bill what was delivered.
            stream.close()
            throw error
        }
    }
}
