import Foundation
import HTTPTypes
import Hummingbird
import KimiSwarmClient
import KimiSwarmPlatform
import KimiSwarmCore
import Logging
import NIOCore

/// A streamed chat completion relayed as OpenAI server-sent events: `data: {chunk}` for each
/// delta, a last chunk with `finish_reason`, one with `usage` when the client asked
/// (`stream_options.include_usage`), then `data: [DONE]`.
///
/// The first upstream event is awaited before the response starts, so that a call the
/// provider refuses at once answers with a proper HTTP error. A client that disconnects ends
/// the relay at the next write, which leaves the upstream iteration and closes the upstream
/// connection; the call is then billed for what was delivered (the provider's usage when it
/// came, else the request's estimated prompt tokens and the delivered text's estimated tokens).
struct GatewayChatStream {
    let request: GatewayChatRequest
    /// The tenant's client.
    let client: LLMClient
    let provider: ProviderID?
    let principal: Principal
    let meter: UsageMeter
    let started: ContinuousClock.Instant
    /// The model named in chunks before the provider's own name is known.
    let displayModel: String
    let fallbackProvider: ProviderID
    /// The call's reservation in the tenant's quota, dropped once it is billed.
    let hold: QuotaHold
    let logger: Logger
    /// Whether the response cache answered (known once the first event came).
    var cacheHit = false

    /// The response; throws when the provider fails before the first event.
    func response() async throws -> Response {
        let stream = client.chatStream(request.chat, provider: provider)
        var iterator = stream.makeAsyncIterator()
        // The cache is looked up on the first step; a stream falls back only before it.
        let (first, outcomes) = try await CacheLayer.withOutcome { try await iterator.next() }
        let box = IteratorBox(iterator)
        var answered = self
        answered.cacheHit = outcomes.last?.isHit ?? false
        let relay = answered
        let body = ResponseBody { writer in
            try await relay.relay(first: first, from: box, to: &writer)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no"],
            body: body)
    }

    /// What was delivered so far, for billing.
    private struct Progress {
        var text = ""
        var usage: Usage?
        var final: ChatResponse?
    }

    private func relay(first: ChatStreamEvent?, from box: IteratorBox, to writer: inout any ResponseBodyWriter) async throws {
        let id = "chatcmpl-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let created = Int(Date().timeIntervalSince1970)
        var progress = Progress()
        var upstreamError: (any Error)?
        do {
            try await writer.write(GatewayWire.event(GatewayWire.chunk(id: id, created: created, model: displayModel, delta: ["role": "assistant", "content": ""])))
            var next = first
            while let event = next {
                switch event {
                case .contentDelta(let text), .reasoningDelta(let text):
                    progress.text += text
                case .toolCallDelta(let delta):
                    progress.text += (delta.name ?? "") + delta.argumentsFragment
                case .usage(let usage):
                    progress.usage = usage
                case .finished(let response):
                    progress.final = response
                }
                if let delta = GatewayWire.delta(for: event) {
                    try await writer.write(GatewayWire.event(GatewayWire.chunk(id: id, created: created, model: displayModel, delta: delta)))
                }
                do {
                    next = try await box.next()
                } catch {
                    upstreamError = error
                    next = nil
                }
            }
            if let final = progress.final {
                let reason = final.finishReason?.rawValue ?? (final.toolCalls.isEmpty ? "stop" : "tool_calls")
                var last = ByteBuffer()
                var finalChunk = GatewayWire.event(GatewayWire.chunk(id: id, created: created, model: final.model, delta: [:], finishReason: reason))
                last.writeBuffer(&finalChunk)
                if request.includeUsage {
                    var usageChunk = GatewayWire.event(GatewayWire.usageChunk(id: id, created: created, model: final.model, usage: final.usage))
                    last.writeBuffer(&usageChunk)
                }
                // Billed before the last write: the provider's work is done whether or not the client reads it.
                meter.bill(principal, provider: final.provider, model: final.model, usage: final.usage, started: started, cacheHit: cacheHit)
                hold.release()
                last.writeImmutableBuffer(GatewayWire.done)
                try await writer.write(last)
            } else {
                bill(progress)
                let apiError = upstreamError.map { ErrorMiddleware.apiError(for: $0, logger: logger) }
                    ?? APIError(status: .badGateway, type: "upstream_error", message: "the upstream stream ended early", hint: "Retry.")
                let errorBody: JSONValue = [
                    "error": ["type": .string(apiError.type), "code": .string(apiError.type), "message": .string(apiError.message), "param": .null]
                ]
                var last = GatewayWire.event(errorBody)
                last.writeImmutableBuffer(GatewayWire.done)
                try await writer.write(last)
            }
            try await writer.finish(nil)
        } catch {
            // The client went away (or the server is stopping): leaving the loop drops the
            // upstream iterator, which closes its connection. Bill what was delivered.
            if progress.final == nil { bill(progress) }
            throw error
        }
    }

    private func bill(_ progress: Progress) {
        let usage = progress.usage ?? Usage(
            promptTokens: TokenEstimator.estimatePromptTokens(request.chat), completionTokens: TokenEstimator.estimate(progress.text))
        meter.bill(principal, provider: provider ?? fallbackProvider, model: displayModel, usage: usage, started: started, cacheHit: cacheHit)
        hold.release()
    }
}

/// Hands the upstream iterator from the handler to the response body writer, which is the
/// only one to use it after that (one task at a time), hence `@unchecked Sendable`.
private final class IteratorBox: @unchecked Sendable {
    private var iterator: ChatStream.AsyncIterator

    init(_ iterator: ChatStream.AsyncIterator) { self.iterator = iterator }

    func next() async throws -> ChatStreamEvent? { try await iterator.next() }
}
