public import CoreMetrics
public import Foundation
public import KimiSwarmCore
public import Logging
public import Tracing

/// The layer next to a provider that sees every real call: it counts, times, traces and
/// logs each one.
///
/// - Metrics (swift-metrics): `kimiswarm_llm_requests_total{provider,model,operation,outcome}`,
///   `kimiswarm_llm_errors_total{provider,model,category}`,
///   `kimiswarm_llm_request_duration_seconds{provider,model,operation}`,
///   `kimiswarm_llm_time_to_first_token_seconds{provider,model}`,
///   `kimiswarm_llm_tokens_total{provider,model,kind}` (kind: input, output, cached_input,
///   cache_write, reasoning) and `kimiswarm_llm_cost_usd_total{provider,model}`.
/// - Traces (swift-distributed-tracing): one client span per call, named `chat {model}` or
///   `embeddings {model}` and attributed after the OpenTelemetry GenAI semantic conventions
///   (`gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.request.model`,
///   `gen_ai.response.model`, `gen_ai.usage.input_tokens`, ...).
/// - Logs: one line per call with a request id, provider, model, tokens, cost and latency;
///   never a prompt, an answer or a key.
public struct ObservabilityLayer: LLMProvider {
    /// The provider this layer observes.
    public let upstream: any LLMProvider
    private let recorder: CallRecorder

    /// Wraps `upstream`. `cost` prices a call (nil when unknown); `statistics` receives every
    /// call; `metrics` and `tracer` default to the process-wide backends.
    public init(
        _ upstream: any LLMProvider,
        statistics: ClientStatistics,
        cost: @escaping @Sendable (ProviderID, String, Usage) -> Decimal?,
        logger: Logger,
        clock: any SwarmClock = SystemClock(),
        metrics: (any MetricsFactory)? = nil,
        tracer: (any Tracer)? = nil
    ) {
        self.upstream = upstream
        self.recorder = CallRecorder(
            provider: upstream.configuration.id, statistics: statistics, cost: cost, logger: logger, clock: clock,
            metrics: metrics ?? MetricsSystem.factory, tracer: tracer ?? InstrumentationSystem.tracer)
    }

    public var configuration: ProviderConfiguration { upstream.configuration }

    public func chat(_ request: ChatRequest) async throws -> ChatResponse {
        let call = recorder.begin(operation: "chat", request: request, model: request.model ?? configuration.defaultModel ?? "default")
        do {
            let response = try await upstream.chat(request)
            call.succeeded(response: response)
            return response
        } catch {
            call.failed(error)
            throw error
        }
    }

    public func chatStream(_ request: ChatRequest) -> ChatStream {
        let upstream = self.upstream
        let recorder = self.recorder
        let model = request.model ?? configuration.defaultModel ?? "default"
        return ChatStream {
            ObservedStreamProducer(
                upstream: upstream.chatStream(request).makeAsyncIterator(),
                call: recorder.begin(operation: "chat", request: request, model: model))
        }
    }

    public func embed(_ request: EmbeddingRequest) async throws -> EmbeddingResponse {
        let model = request.model ?? configuration.defaultEmbeddingModel ?? "default"
        let call = recorder.begin(operation: "embeddings", request: nil, model: model)
        do {
            let response = try await upstream.embed(request)
            call.succeeded(model: response.model, usage: response.usage, response: nil)
            return response
        } catch {
            call.failed(error)
            throw error
        }
    }

    public func listModels() async throws -> [ProviderModel] {
        try await upstream.listModels()
    }
}

/// Wraps a stream: notes the first token, and finishes the call record when the stream
/// finishes, fails, or is dropped unfinished.
private struct ObservedStreamProducer: ChatStreamProducer {
    var upstream: ChatStream.AsyncIterator
    let call: CallRecord

    mutating func next() async throws -> ChatStreamEvent? {
        do {
            guard let event = try await upstream.next() else {
                call.abandoned()
                return nil
            }
            switch event {
            case .contentDelta, .reasoningDelta, .toolCallDelta:
                call.firstToken()
            case .finished(let response):
                call.succeeded(response: response)
            case .usage:
                break
            }
            return event
        } catch {
            call.failed(error)
            throw error
        }
    }
}
