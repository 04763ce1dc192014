import CoreMetrics
import Foundation
import KimiSwarmCore
import Logging
import Synchronization
import Tracing

/// Creates one ``CallRecord`` per provider call.
struct CallRecorder: Sendable {
    let provider: ProviderID
    let statistics: ClientStatistics
    let cost: @Sendable (ProviderID, String, Usage) -> Decimal?
    let logger: Logger
    let clock: any SwarmClock
    let metrics: any MetricsFactory
    let tracer: any Tracer

    func begin(operation: String, request: ChatRequest?, model: String) -> CallRecord {
        let span = tracer.startSpan("\(operation) \(model)", context: ServiceContext.current ?? .topLevel, ofKind: .client)
        span.updateAttributes { attributes in
            attributes["gen_ai.operation.name"] = operation
            attributes["gen_ai.provider.name"] = GenAI.providerName(provider)
            attributes["gen_ai.system"] = GenAI.providerName(provider)
            attributes["gen_ai.request.model"] = model
            if let request {
                if let value = request.maxTokens { attributes["gen_ai.request.max_tokens"] = value }
                if let value = request.temperature { attributes["gen_ai.request.temperature"] = value }
                if let value = request.topP { attributes["gen_ai.request.top_p"] = value }
                if !request.stop.isEmpty { attributes["gen_ai.request.stop_sequences"] = request.stop }
                if let value = request.seed { attributes["gen_ai.request.seed"] = value }
            }
        }
        return CallRecord(recorder: self, operation: operation, model: model, span: span, started: clock.now())
    }
}

/// The record of one call: finished exactly once, by success, failure or abandonment.
final class CallRecord: Sendable {
    private struct State {
        var finished = false
        var firstToken: Duration?
    }

    let recorder: CallRecorder
    let operation: String
    let model: String
    let span: any Span
    let started: Duration
    let requestID: String
    private let state = Mutex(State())

    init(recorder: CallRecorder, operation: String, model: String, span: any Span, started: Duration) {
        self.recorder = recorder
        self.operation = operation
        self.model = model
        self.span = span
        self.started = started
        self.requestID = String(UUID().uuidString.prefix(8)).lowercased()
    }

    deinit {
        abandoned()
    }

    func firstToken() {
        let now = recorder.clock.now()
        state.withLock { state in
            if state.firstToken == nil { state.firstToken = now - started }
        }
    }

    private func finish() -> (first: Bool, timeToFirstToken: Duration?) {
        state.withLock { state in
            defer { state.finished = true }
            return (!state.finished, state.firstToken)
        }
    }

    func succeeded(response: ChatResponse) {
        succeeded(model: response.model, usage: response.usage, response: response)
    }

    func succeeded(model responseModel: String, usage: Usage, response: ChatResponse?) {
        let (first, timeToFirstToken) = finish()
        guard first else { return }
        let latency = recorder.clock.now() - started
        let provider = recorder.provider
        let cost = recorder.cost(provider, responseModel, usage)
        recorder.statistics.recordSuccess(
            provider: provider, model: responseModel, latency: latency, timeToFirstToken: timeToFirstToken, usage: usage, cost: cost)

        let factory = recorder.metrics
        let labels = [("provider", provider.rawValue), ("model", model)]
        Counter(label: "kimiswarm_llm_requests_total", dimensions: labels + [("operation", operation), ("outcome", "success")], factory: factory)
            .increment()
        Timer(label: "kimiswarm_llm_request_duration_seconds", dimensions: labels + [("operation", operation)], factory: factory)
            .recordNanoseconds(Self.nanoseconds(latency))
        if let timeToFirstToken {
            Timer(label: "kimiswarm_llm_time_to_first_token_seconds", dimensions: labels, factory: factory)
                .recordNanoseconds(Self.nanoseconds(timeToFirstToken))
        }
        let kinds: [(String, Int)] = [
            ("input", usage.promptTokens), ("output", usage.completionTokens), ("cached_input", usage.cachedPromptTokens),
            ("cache_write", usage.cacheWriteTokens), ("reasoning", usage.reasoningTokens),
        ]
        for (kind, count) in kinds where count > 0 {
            Counter(label: "kimiswarm_llm_tokens_total", dimensions: labels + [("kind", kind)], factory: factory).increment(by: count)
        }
        if let cost {
            FloatingPointCounter(label: "kimiswarm_llm_cost_usd_total", dimensions: labels, factory: factory)
                .increment(by: NSDecimalNumber(decimal: cost).doubleValue)
        }

        span.updateAttributes { attributes in
            attributes["gen_ai.response.model"] = responseModel
            attributes["gen_ai.usage.input_tokens"] = usage.promptTokens
            attributes["gen_ai.usage.output_tokens"] = usage.completionTokens
            if usage.cachedPromptTokens > 0 { attributes["gen_ai.usage.cache_read.input_tokens"] = usage.cachedPromptTokens }
            if usage.cacheWriteTokens > 0 { attributes["gen_ai.usage.cache_creation.input_tokens"] = usage.cacheWriteTokens }
            if usage.reasoningTokens > 0 { attributes["gen_ai.usage.reasoning.output_tokens"] = usage.reasoningTokens }
            if let response {
                if !response.id.isEmpty { attributes["gen_ai.response.id"] = response.id }
                if let reason = response.finishReason { attributes["gen_ai.response.finish_reasons"] = [reason.rawValue] }
            }
            if let cost { attributes["kimiswarm.cost_usd"] = "\(cost)" }
        }
        span.end()

        var metadata: Logger.Metadata = [
            "request_id": "\(requestID)", "provider": "\(provider)", "model": "\(responseModel)", "operation": "\(operation)",
            "prompt_tokens": "\(usage.promptTokens)", "completion_tokens": "\(usage.completionTokens)",
            "latency_ms": "\(Self.milliseconds(latency))", "cost_usd": "\(cost.map { "\($0)" } ?? "unknown")",
        ]
        if usage.cachedPromptTokens > 0 { metadata["cached_tokens"] = "\(usage.cachedPromptTokens)" }
        if usage.reasoningTokens > 0 { metadata["reasoning_tokens"] = "\(usage.reasoningTokens)" }
        if let timeToFirstToken { metadata["ttft_ms"] = "\(Self.milliseconds(timeToFirstToken))" }
        if let reason = response?.finishReason { metadata["finish_reason"] = "\(reason)" }
        recorder.logger.info("llm call finished", metadata: metadata)
    }

    func failed(_ error: any Error) {
        let (first, _) = finish()
        guard first else { return }
        let latency = recorder.clock.now() - started
        let provider = recorder.provider
        let factory = recorder.metrics
        let labels = [("provider", provider.rawValue), ("model", model)]
        if error is CancellationError {
            recorder.statistics.recordCancellation()
            Counter(label: "kimiswarm_llm_requests_total", dimensions: labels + [("operation", operation), ("outcome", "cancelled")], factory: factory)
                .increment()
            span.attributes["error.type"] = "cancelled"
            span.end()
            recorder.logger.debug("llm call cancelled", metadata: ["request_id": "\(requestID)", "provider": "\(provider)", "model": "\(model)"])
            return
        }
        let known = error as? KimiSwarmError
        let category = known?.category ?? .internal
        recorder.statistics.recordFailure(category: category, latency: latency)
        Counter(label: "kimiswarm_llm_requests_total", dimensions: labels + [("operation", operation), ("outcome", "error")], factory: factory)
            .increment()
        Counter(label: "kimiswarm_llm_errors_total", dimensions: labels + [("category", category.rawValue)], factory: factory).increment()
        Timer(label: "kimiswarm_llm_request_duration_seconds", dimensions: labels + [("operation", operation)], factory: factory)
            .recordNanoseconds(Self.nanoseconds(latency))
        span.attributes["error.type"] = category.rawValue
        span.recordError(SafeError(description: known?.description ?? "\(type(of: error))"))
        span.setStatus(SpanStatus(code: .error, message: category.rawValue))
        span.end()
        var metadata: Logger.Metadata = [
            "request_id": "\(requestID)", "provider": "\(provider)", "model": "\(model)", "operation": "\(operation)",
            "category": "\(category.rawValue)", "latency_ms": "\(Self.milliseconds(latency))",
        ]
        if let status = known?.httpStatus { metadata["http_status"] = "\(status)" }
        if let known { metadata["error"] = "\(known.description)" }
        // A configuration error (no key, no model) was refused before any request was sent;
        // the caller reports it, so the call log stays at debug.
        recorder.logger.log(level: category == .configuration ? .debug : .warning, "llm call failed", metadata: metadata)
    }

    /// A stream dropped before it finished: the caller stopped reading.
    func abandoned() {
        let (first, _) = finish()
        guard first else { return }
        recorder.statistics.recordCancellation()
        Counter(
            label: "kimiswarm_llm_requests_total",
            dimensions: [("provider", recorder.provider.rawValue), ("model", model), ("operation", operation), ("outcome", "cancelled")],
            factory: recorder.metrics
        ).increment()
        span.attributes["error.type"] = "abandoned"
        span.end()
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        nanoseconds(duration) / 1_000_000
    }
}

/// An error for spans that carries only KimiSwarm's own safe description.
private struct SafeError: Error, CustomStringConvertible {
    let description: String
}

/// OpenTelemetry GenAI names.
enum GenAI {
    /// `gen_ai.provider.name` values of the semantic conventions, where one exists.
    static func providerName(_ provider: ProviderID) -> String {
        switch provider {
        case .openai: return "openai"
        case .anthropic: return "anthropic"
        case .azure: return "azure.ai.openai"
        default: return provider.rawValue
        }
    }
}
