import KimiSwarmClient
package import KimiSwarmCore

/// What a streamed gateway call hands its caller, in order: deltas, then one
/// ``finished(_:)`` or ``failed(_:)``.
package enum GatewayStreamEvent: Sendable {
    /// Content, reasoning or a tool-call fragment (never `.usage` or `.finished`).
    case delta(ChatStreamEvent)
    /// The whole answer: model, finish reason, usage. The call is billed already.
    case finished(ChatResponse)
    /// The upstream failed, or ended without its answer (a ``PlatformError`` of type
    /// `upstream_error`). The call is billed already, for what was delivered.
    case failed(any Error)
}

/// A streamed chat completion of ``GatewayService/chatStream(_:principal:)``: its id, date and
/// model for the chunks, and its events.
///
/// The call is billed exactly once: when the answer came (before ``GatewayStreamEvent/finished(_:)``
/// is handed over: the provider's work is done whether or not the caller reads it); when the
/// upstream failed or ended early; or, when the caller stops reading first (it went away),
/// at ``close()`` or at the latest when the stream is released. Billing without the provider's answer uses
/// the provider's usage when it came, else the prompt's and the delivered text's estimates.
/// Billing drops the call's hold in the tenant's quota.
///
/// One consumer at a time reads it (the HTTP body writer), hence `@unchecked Sendable`.
package final class GatewayStream: AsyncSequence, @unchecked Sendable {
    package typealias Element = GatewayStreamEvent

    /// `chatcmpl-…`, the same in every chunk.
    package let id: String
    /// Seconds since 1970, from the service's clock.
    package let created: Int
    /// The model named in chunks before the provider's own name is known.
    package let model: String
    /// Whether the response cache answered.
    package let cacheHit: Bool
    private let call: AdmittedCall
    private let meter: UsageMeter
    /// The upstream; dropped (which closes its connection) once it ended or the stream is closed.
    private var iterator: ChatStream.AsyncIterator?
    /// The first event, awaited by the service before the stream was handed over.
    private var pending: ChatStreamEvent?
    /// Whether the upstream has nothing more (it ended, or failed).
    private var upstreamEnded: Bool
    /// The provider's whole answer, once it came (deltas may still follow it upstream).
    private var answer: ChatResponse?
    /// The text delivered so far, and the provider's usage if it came: for billing an early end.
    private var text = ""
    private var usage: Usage?
    private var ended = false
    private var billed = false

    init(
        call: AdmittedCall, first: ChatStreamEvent?, iterator: ChatStream.AsyncIterator, cacheHit: Bool, meter: UsageMeter, id: String,
        created: Int
    ) {
        self.call = call
        self.pending = first
        self.upstreamEnded = first == nil
        self.iterator = iterator
        self.cacheHit = cacheHit
        self.meter = meter
        self.id = id
        self.created = created
        self.model = call.billedModel
    }

    /// The next event; `nil` after the last.
    package func next() async -> GatewayStreamEvent? {
        while !ended {
            let event: ChatStreamEvent
            if let first = pending {
                pending = nil
                event = first
            } else {
                guard !upstreamEnded else { return end(failure: nil) }
                do {
                    guard let next = try await iterator?.next() else { return end(failure: nil) }
                    event = next
                } catch {
                    return end(failure: error)
                }
            }
            switch event {
            case .contentDelta(let delta), .reasoningDelta(let delta):
                text += delta
                return .delta(event)
            case .toolCallDelta(let delta):
                text += (delta.name ?? "") + delta.argumentsFragment
                return .delta(event)
            case .usage(let reported):
                usage = reported
            case .finished(let response):
                answer = response
            }
        }
        return nil
    }

    /// The last event: the answer, billed, or the failure, billed for what was delivered.
    private func end(failure: (any Error)?) -> GatewayStreamEvent {
        ended = true
        upstreamEnded = true
        iterator = nil
        if let answer {
            bill(provider: answer.provider, model: answer.model, usage: answer.usage)
            return .finished(answer)
        }
        close()
        return .failed(
            failure ?? PlatformError(.unavailable, type: "upstream_error", message: "the upstream stream ended early", hint: "Retry."))
    }

    /// Ends the stream: drops the upstream (closing its connection) and bills what was delivered
    /// unless the call is billed already, dropping the hold. The caller calls it when it stops
    /// reading early; twice is harmless.
    package func close() {
        ended = true
        iterator = nil
        guard !billed else { return }
        let usage = self.usage ?? Usage(
            promptTokens: TokenEstimator.estimatePromptTokens(call.request), completionTokens: TokenEstimator.estimate(text))
        bill(provider: call.provider ?? call.billedProvider, model: call.billedModel, usage: usage)
    }

    private func bill(provider: ProviderID, model: String, usage: Usage) {
        guard !billed else { return }
        billed = true
        meter.bill(call.principal, provider: provider, model: model, usage: usage, started: call.started, cacheHit: cacheHit)
        call.hold.release()
    }

    deinit { close() }

    package struct AsyncIterator: AsyncIteratorProtocol {
        let stream: GatewayStream

        package mutating func next() async -> GatewayStreamEvent? { await stream.next() }
    }

    package func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: self) }
}
