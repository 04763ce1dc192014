import Foundation
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmPlatform
import KimiSwarmTesting
import Prometheus
import Testing

/// Every series the README documents reaches the registry handed to the client, as `swarm
/// serve` hands it the registry that `/metrics` emits (`LLMClient.make(..., persistentStore:,
/// metrics:)`): none goes to the process-wide `MetricsSystem` (which these tests bootstrap
/// elsewhere, so a series sent there would be missing here).
@Suite("Resilience: every documented series reaches the client's registry")
struct ResilienceMetricsTests {
    static func configuration(primary: LoopbackProviderServer, secondary: LoopbackProviderServer) -> KimiSwarmConfiguration {
        var configuration = KimiSwarmConfiguration()
        configuration.providers = [
            .moonshot: primary.openAIConfiguration(),
            .together: secondary.openAIConfiguration(id: .together, dialect: .standard),
        ]
        configuration.retry.maxAttempts = 2
        configuration.retry.initialBackoff = .zero
        configuration.retry.maxBackoff = .zero
        configuration.retry.budgetRatio = 0  // one retry per window: the second one is refused
        configuration.retry.minRetriesPerWindow = 0
        configuration.circuitBreaker.failureThreshold = 2
        configuration.rateLimit.maxConcurrent = 1
        configuration.rateLimit.maxWait = .seconds(5)
        configuration.cache.maxSize = 1
        configuration.router = RouterSettings(
            defaultDestination: .target(RouteTarget(provider: .moonshot, model: "kimi-k2.6")),
            fallbacks: ["moonshot": [RouteTarget(provider: .together, model: "kimi-k2.6")]])
        return configuration
    }

    /// Fails for each of `series` that the registry's text lacks.
    static func expectSeries(_ registry: PrometheusCollectorRegistry, _ series: [String], after event: String) throws {
        let text = registry.emitToString()
        try PrometheusText.validate(text)
        for name in series {
            #expect(text.contains(name), "after \(event): missing \(name) in\n\(text)")
        }
    }

    @Test("LLM, cache, rate-limit, bulkhead, retry, retry-budget, circuit and router series, each after its event")
    func everyDocumentedSeries() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kimiswarm-metrics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let cachePath = folder.appendingPathComponent("cache.sqlite").path
        try await withStoreCache(path: cachePath) { store in
            try await LoopbackProviderServer.withServer { primary in
                try await LoopbackProviderServer.withServer { secondary in
                    let registry = PrometheusCollectorRegistry()
                    let clock = ManualClock()
                    let client = LLMClient.make(
                        configuration: Self.configuration(primary: primary, secondary: secondary),
                        registry: pricedRegistry, logger: testLogger, persistentStore: store, clock: clock,
                        metrics: PrometheusMetricsFactory(registry: registry))
                    let moonshot = #"provider="moonshot",model="kimi-k2.6""#

                    _ = try await client.chat(ChatRequest(messages: [.user("one")]))
                    try Self.expectSeries(
                        registry,
                        [
                            "kimiswarm_llm_requests_total{\(moonshot),operation=\"chat\",outcome=\"success\"} 1",
                            "kimiswarm_llm_request_duration_seconds_count{",
                            "kimiswarm_llm_tokens_total{\(moonshot),kind=\"input\"}",
                            "kimiswarm_llm_cost_usd_total{\(moonshot)}",
                            "kimiswarm_cache_misses_total 1", "kimiswarm_cache_entries 1.0", "kimiswarm_cache_bytes ",
                            "kimiswarm_rate_limit_wait_seconds_count{provider=\"moonshot\"} 1",
                            "kimiswarm_bulkhead_in_flight{provider=\"moonshot\"} 0.0",
                            "kimiswarm_circuit_state{\(moonshot)} 0.0",
                        ], after: "a call")

                    _ = try await client.chat(ChatRequest(messages: [.user("one")]))
                    try Self.expectSeries(registry, [#"kimiswarm_cache_hits_total{tier="l1"} 1"#], after: "a cache hit")

                    _ = try await client.chat(ChatRequest(messages: [.user("two")]))
                    try Self.expectSeries(registry, ["kimiswarm_cache_evictions_total 1"], after: "an eviction")

                    _ = try await client.chatStream(ChatRequest(messages: [.user("three")])).collect()
                    try Self.expectSeries(registry, ["kimiswarm_llm_time_to_first_token_seconds_count{\(moonshot)} 1"], after: "a stream")

                    // A 5xx, retried: the budget's one retry of this window.
                    primary.enqueue(ResilienceFixtures.serverError)
                    _ = try await client.chat(ChatRequest(messages: [.user("four")]))
                    try Self.expectSeries(
                        registry,
                        [
                            "kimiswarm_retries_total{\(moonshot),category=\"provider\"} 1",
                            "kimiswarm_llm_errors_total{\(moonshot),category=\"provider\"} 1",
                        ], after: "a retry")

                    // Another 5xx: the budget refuses the retry, and the router falls back.
                    primary.enqueue(ResilienceFixtures.serverError, ResilienceFixtures.serverError)
                    let fallback = try await client.chat(ChatRequest(messages: [.user("five")]))
                    #expect(fallback.provider == .together)
                    try Self.expectSeries(
                        registry,
                        [
                            "kimiswarm_retry_budget_exhausted_total{\(moonshot)} 1",
                            #"kimiswarm_router_fallbacks_total{from="moonshot/kimi-k2.6",to="together/kimi-k2.6",reason="retry_budget_exhausted"} 1"#,
                        ], after: "a budget refusal")

                    // A second failure in a row opens the circuit.
                    _ = try await client.chat(ChatRequest(messages: [.user("six")]))
                    #expect(client.circuitStates()[.moonshot]?["kimi-k2.6"] == "open")
                    try Self.expectSeries(
                        registry,
                        ["kimiswarm_circuit_transitions_total{\(moonshot),to=\"open\"} 1", "kimiswarm_circuit_state{\(moonshot)} 2.0"],
                        after: "the circuit opening")

                    // A call that finds the bulkhead full for max_wait is rejected.
                    secondary.enqueue(.hang)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { _ = try? await client.chat(ChatRequest(messages: [.user("seven")]), provider: .together) }
                        #expect(await eventually { secondary.requestCount == 3 })
                        group.addTask {
                            let error = try await expectKimiError {
                                _ = try await client.chat(ChatRequest(messages: [.user("eight")]), provider: .together)
                            }
                            #expect(error.reason == .bulkheadTimeout)
                        }
                        #expect(await clock.waitForSleepers(1))
                        clock.advance(by: .seconds(5))
                        try await group.next()  // the rejected call; the hung one is cancelled
                        group.cancelAll()
                    }
                    try Self.expectSeries(
                        registry, [#"kimiswarm_bulkhead_rejections_total{provider="together"} 1"#], after: "a bulkhead rejection")
                }
            }
        }
    }
}
