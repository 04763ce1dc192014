import Foundation
import InMemoryTracing
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting
import Prometheus
import Testing
import Tracing

/// A registry with known prices, so costs can be computed by hand.
let pricedRegistry = ModelRegistry(entries: [
    ModelEntry(
        id: "kimi-k2.6", provider: .moonshot, contextWindow: 262_144,
        pricing: ModelPricing(
            inputPerMillion: Decimal(string: "0.60")!, cachedInputPerMillion: Decimal(string: "0.10")!,
            outputPerMillion: Decimal(string: "3.00")!))
])

@Suite("Observability: Prometheus metrics, GenAI spans, statistics")
struct ObservabilityTests {
    static func client(_ server: LoopbackProviderServer, metrics: PrometheusMetricsFactory, tracer: InMemoryTracer) -> LLMClient {
        LLMClient(
            configuration: KimiSwarmConfiguration(), registry: pricedRegistry, providers: [server.openAIProvider()],
            logger: testLogger, metrics: metrics, tracer: tracer)
    }

    @Test("calls become Prometheus series, GenAI spans and exact statistics")
    func callsAreObserved() async throws {
        try await LoopbackProviderServer.withServer { server in
            let prometheus = PrometheusCollectorRegistry()
            let tracer = InMemoryTracer()
            let client = Self.client(server, metrics: PrometheusMetricsFactory(registry: prometheus), tracer: tracer)
            server.enqueue(
                .json(body: OpenAIProviderChatTests.completionBody),
                .sse(events: OpenAIProviderStreamTests.toolCallStream),
                .json(status: 400, body: #"{"error":{"message":"bad","type":"invalid_request_error"}}"#))
            _ = try await client.chat(ChatRequest(messages: [.user("one")]))
            _ = try await client.chatStream(ChatRequest(messages: [.user("two")])).collect()
            await #expect(throws: KimiSwarmError.self) { _ = try await client.chat(ChatRequest(messages: [.user("three")])) }

            // Statistics: 120 in (100 cached) + 30 out, then 40 in (32 cached) + 25 out (7 reasoning).
            let snapshot = client.metrics()
            #expect(snapshot.requests == 3)
            #expect(snapshot.successes == 2)
            #expect(snapshot.errorsByCategory == ["invalid_request": 1])
            #expect(snapshot.usage == Usage(promptTokens: 160, cachedPromptTokens: 132, completionTokens: 55, reasoningTokens: 27))
            // (20 × 0.60 + 100 × 0.10 + 30 × 3.00 + 8 × 0.60 + 32 × 0.10 + 25 × 3.00) / 1e6
            #expect(snapshot.costUSD == Decimal(string: "0.000195")!)
            #expect(snapshot.latencyP50 != nil)
            #expect(snapshot.timeToFirstTokenP50 != nil)
            #expect(snapshot.byModel.first?.calls == 2)

            // Prometheus text: well-formed, with the listed series.
            let text = prometheus.emitToString()
            try PrometheusText.validate(text)
            for series in [
                #"kimiswarm_llm_requests_total{provider="moonshot",model="kimi-k2.6",operation="chat",outcome="success"} 2"#,
                #"kimiswarm_llm_requests_total{provider="moonshot",model="kimi-k2.6",operation="chat",outcome="error"} 1"#,
                #"kimiswarm_llm_errors_total{provider="moonshot",model="kimi-k2.6",category="invalid_request"} 1"#,
                #"kimiswarm_llm_tokens_total{provider="moonshot",model="kimi-k2.6",kind="input"} 160"#,
                #"kimiswarm_llm_tokens_total{provider="moonshot",model="kimi-k2.6",kind="reasoning"} 27"#,
                "kimiswarm_llm_request_duration_seconds_bucket{",
                "kimiswarm_llm_time_to_first_token_seconds_count{",
            ] {
                #expect(text.contains(series), "missing \(series) in\n\(text)")
            }
            // Prometheus counters are floating point; the exact figure is the snapshot's Decimal.
            let costLine = try #require(text.split(separator: "\n").first { $0.hasPrefix("kimiswarm_llm_cost_usd_total{") })
            let exported = try #require(Double(costLine.split(separator: " ").last ?? ""))
            #expect(abs(exported - 0.000195) < 1e-12)

            // Spans after the GenAI semantic conventions.
            let spans = tracer.finishedSpans
            #expect(spans.count == 3)
            #expect(spans.allSatisfy { $0.operationName == "chat kimi-k2.6" && $0.kind == .client })
            let first = try #require(spans.first)
            #expect(first.attributes.get("gen_ai.operation.name") == .string("chat"))
            #expect(first.attributes.get("gen_ai.provider.name") == .string("moonshot"))
            #expect(first.attributes.get("gen_ai.request.model") == .string("kimi-k2.6"))
            #expect(first.attributes.get("gen_ai.response.id") == .string("chatcmpl-1"))
            #expect(first.attributes.get("gen_ai.usage.input_tokens") == .int64(120))
            #expect(first.attributes.get("gen_ai.usage.output_tokens") == .int64(30))
            let failed = try #require(spans.last)
            #expect(failed.status?.code == .error)
            #expect(failed.attributes.get("error.type") == .string("invalid_request"))
        }
    }

    @Test("batchChat keeps input order, bounds concurrency, and one failure does not sink the batch")
    func batchChat() async throws {
        try await LoopbackProviderServer.withServer { server in
            let client = LLMClient(
                configuration: KimiSwarmConfiguration(), registry: pricedRegistry, providers: [server.openAIProvider()], logger: testLogger)
            var requests = (0..<7).map { ChatRequest(messages: [.user("item \($0)")]) }
            requests[3] = ChatRequest(messages: [ChatMessage(role: .tool, content: .text("no call id"))])
            let results = await client.batchChat(requests, maxConcurrency: 3)
            #expect(results.count == 7)
            for (index, result) in results.enumerated() {
                switch result {
                case .success(let response):
                    #expect(index != 3)
                    #expect(response.text == "Echo: item \(index)")
                case .failure(let error):
                    #expect(index == 3)
                    #expect((error as? KimiSwarmError)?.category == .invalidRequest)
                }
            }
            #expect(server.requestCount == 6)
        }
    }

    @Test("healthCheck reports healthy, unauthorized, unreachable and not configured providers")
    func healthCheck() async throws {
        try await LoopbackProviderServer.withServer { healthy in
            try await LoopbackProviderServer.withServer { rejecting in
                rejecting.enqueue(.json(status: 401, body: #"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#))
                let closedPort = 1  // nothing listens on loopback port 1
                let unreachable = ProviderConfiguration(
                    id: .ollama, kind: .openAICompatible, baseURL: "http://127.0.0.1:\(closedPort)/v1", requiresAPIKey: false,
                    connectTimeout: .seconds(1))
                let missingKey = ProviderConfiguration(id: .openai, kind: .openAICompatible, baseURL: "https://api.openai.com/v1", apiKeyVariable: "OPENAI_API_KEY")
                let providers: [any LLMProvider] = [
                    healthy.openAIProvider(),
                    rejecting.anthropicProvider(),
                    OpenAICompatibleProvider(
                        configuration: unreachable, registry: .empty, httpClient: SharedHTTPClient.client(connectTimeout: .seconds(1)),
                        logger: testLogger),
                    OpenAICompatibleProvider(configuration: missingKey, registry: .empty, httpClient: SharedHTTPClient.client(), logger: testLogger),
                ]
                let client = LLMClient(configuration: KimiSwarmConfiguration(), registry: .empty, providers: providers, logger: testLogger)
                let results = await client.healthCheck(timeout: .seconds(30))
                let byProvider = Dictionary(uniqueKeysWithValues: results.map { ($0.provider, $0) })
                #expect(byProvider[.moonshot]?.status == .healthy)
                #expect(byProvider[.moonshot]?.latency != nil)
                #expect(byProvider[.anthropic]?.status == .unauthorized)
                #expect(byProvider[.ollama]?.status == .unreachable)
                #expect(byProvider[.openai]?.status == .notConfigured)
                #expect(byProvider[.openai]?.detail?.contains("OPENAI_API_KEY") == true)
                #expect(results.map(\.provider) == [.anthropic, .moonshot, .ollama, .openai])
            }
        }
    }
}

/// Checks Prometheus text exposition format, line by line.
enum PrometheusText {
    static func validate(_ text: String) throws {
        let name = "[a-zA-Z_:][a-zA-Z0-9_:]*"
        let sample = try Regex("^\(name)(\\{(\(name)=\"([^\"\\\\]|\\\\.)*\",?)*\\})? -?([0-9.e+-]+|\\+Inf|NaN)$")
        let type = try Regex("^# TYPE \(name) (counter|gauge|histogram|summary|untyped)$")
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# HELP ") { continue }
            if line.hasPrefix("# TYPE ") {
                guard line.wholeMatch(of: type) != nil else { throw TestFailure("bad TYPE line: \(line)") }
                continue
            }
            guard line.wholeMatch(of: sample) != nil else { throw TestFailure("bad sample line: \(line)") }
        }
    }
}
