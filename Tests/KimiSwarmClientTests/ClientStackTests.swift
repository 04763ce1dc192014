import Foundation
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting
import Prometheus
import Testing
import CoreMetrics

/// The process-wide metrics backend for tests that read series from every layer; bootstrapped
/// once, on first use (swift-metrics allows one bootstrap per process).
enum GlobalPrometheus {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}

@Suite("The whole client stack: router, cache, retry, circuit breaker, rate limit, observability")
struct ClientStackTests {
    static func configuration(router: RouterSettings?) -> KimiSwarmConfiguration {
        var configuration = KimiSwarmConfiguration()
        configuration.retry.maxAttempts = 1
        configuration.circuitBreaker.failureThreshold = 2
        configuration.circuitBreaker.resetTimeout = .seconds(30)
        configuration.circuitBreaker.halfOpenSuccessesToClose = 1
        configuration.router = router
        return configuration
    }

    @Test("a 5xx burst opens the circuit and the router falls back; a half-open probe closes it again")
    func circuitOpensAndRouterFallsBack() async throws {
        try await LoopbackProviderServer.withServer { primary in
            try await LoopbackProviderServer.withServer { secondary in
                let router = RouterSettings(
                    defaultDestination: .target(RouteTarget(provider: .moonshot, model: "kimi-k2.6")),
                    fallbacks: ["moonshot": [RouteTarget(provider: .anthropic, model: "claude-sonnet-4-5")]])
                let clock = ManualClock()
                let client = LLMClient(
                    configuration: Self.configuration(router: router), registry: DefaultModelRegistry.load(),
                    providers: [primary.openAIProvider(), secondary.anthropicProvider()], logger: testLogger, clock: clock)
                let failure = FakeResponse.json(status: 500, body: #"{"error":{"message":"down","type":"server_error"}}"#)
                primary.enqueue(failure, failure)

                for round in 1...3 {
                    let response = try await client.chat(ChatRequest(messages: [.user("round \(round)")]))
                    #expect(response.provider == .anthropic)
                    #expect(response.text == "Echo: round \(round)")
                }
                // Two failures opened the circuit: the third call never reached the primary.
                #expect(primary.requestCount == 2)
                #expect(secondary.requestCount == 3)
                let open = await client.healthCheck().first { $0.provider == .moonshot }
                #expect(open?.circuits["kimi-k2.6"] == "open")

                clock.advance(by: .seconds(30))
                let probe = try await client.chat(ChatRequest(messages: [.user("probe")]))
                #expect(probe.provider == .moonshot)
                #expect(probe.text == "Echo: probe")
                let closed = await client.healthCheck().first { $0.provider == .moonshot }
                #expect(closed?.circuits["kimi-k2.6"] == "closed")
                #expect(client.metrics().errorsByCategory == ["provider": 2])
            }
        }
    }

    @Test("a cache hit skips the provider, counts, and shows in metrics(); the Prometheus text carries every layer's series")
    func cacheAndPrometheusSeries() async throws {
        let registry = GlobalPrometheus.registry
        try await LoopbackProviderServer.withServer { server in
            var configuration = Self.configuration(router: nil)
            configuration.cache.persistent = false
            let cache = ResponseCache(settings: configuration.cache)
            let client = LLMClient(
                configuration: configuration, registry: DefaultModelRegistry.load(), providers: [server.openAIProvider()],
                logger: testLogger, cache: cache)
            let request = ChatRequest(messages: [.user("cache me")])
            let first = try await client.chat(request, provider: .moonshot)
            let second = try await client.chat(request, provider: .moonshot)
            #expect(first == second)
            #expect(server.requestCount == 1)
            #expect(client.metrics().cacheHitRate == 0.5)
            server.enqueue(.json(status: 400, body: #"{"error":{"message":"bad","type":"invalid_request_error"}}"#))
            await #expect(throws: KimiSwarmError.self) {
                _ = try await client.chat(ChatRequest(messages: [.user("fails")]), provider: .moonshot)
            }

            let text = registry.emitToString()
            try PrometheusText.validate(text)
            for name in [
                "kimiswarm_llm_requests_total", "kimiswarm_llm_errors_total", "kimiswarm_llm_request_duration_seconds_bucket",
                "kimiswarm_llm_tokens_total", "kimiswarm_cache_hits_total", "kimiswarm_cache_misses_total",
                "kimiswarm_circuit_state", "kimiswarm_bulkhead_in_flight",
            ] {
                let lines = text.split(separator: "\n")
                #expect(lines.contains { $0.hasPrefix("\(name){") || $0.hasPrefix("\(name) ") }, "missing \(name)")
            }
        }
    }
}
