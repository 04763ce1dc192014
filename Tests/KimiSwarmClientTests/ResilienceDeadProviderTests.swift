import Foundation
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting
import Testing

@Suite("Resilience: a provider whose port is closed fails at once")
struct ResilienceDeadProviderTests {
    /// A loopback port that nothing listens on (as ObservabilityTests' health check uses).
    static func closedPort() -> Int { 1 }

    /// Settings of a provider at `port` on the loopback address, with the default connect timeout (10 s).
    static func deadConfiguration(port: Int, id: ProviderID = .moonshot) -> ProviderConfiguration {
        ProviderConfiguration(
            id: id, kind: .openAICompatible, baseURL: "http://127.0.0.1:\(port)/v1", apiKey: Secret(testAPIKey),
            defaultModel: "kimi-k2.6", dialect: .moonshot)
    }

    @Test("a refused connection is a network error with reason connection_refused, well within the connect timeout")
    func refusedAtOnce() async throws {
        let settings = Self.deadConfiguration(port: Self.closedPort())
        let provider = OpenAICompatibleProvider(
            configuration: settings, registry: .empty, httpClient: SharedHTTPClient.client(connectTimeout: settings.connectTimeout),
            logger: testLogger)
        let started = ContinuousClock.now
        let error = try await expectKimiError { _ = try await provider.chat(ResilienceFixtures.request) }
        let elapsed = ContinuousClock.now - started
        #expect(error.category == .network)
        #expect(error.reason == .connectionRefused)
        #expect(error.isRetryable)
        #expect(CircuitBreakerLayer.counts(error))
        // Not a speed figure (RELIABILITY.md has those): the refusal is reported as such, never
        // after waiting out the connect timeout (10 s).
        #expect(elapsed < settings.connectTimeout, "took \(elapsed)")
    }

    @Test("with the shipped defaults, the router falls back from a closed port to the next provider at once; the circuit opens")
    func routerFallsBackAtOnce() async throws {
        let port = Self.closedPort()
        try await LoopbackProviderServer.withServer { live in
            var configuration = KimiSwarmConfiguration()
            configuration.cache.enabled = false
            configuration.providers = [
                .moonshot: Self.deadConfiguration(port: port),
                .together: live.openAIConfiguration(id: .together, dialect: .standard),
            ]
            configuration.router = RouterSettings(
                defaultDestination: .target(RouteTarget(provider: .moonshot, model: "kimi-k2.6")),
                fallbacks: ["moonshot": [RouteTarget(provider: .together, model: "kimi-k2.6")]])
            let client = LLMClient(configuration: configuration, registry: .empty, logger: testLogger)
            let threshold = configuration.circuitBreaker.failureThreshold
            for round in 1...(threshold + 2) {
                let started = ContinuousClock.now
                let response = try await client.chat(ResilienceFixtures.request("round \(round)"))
                let elapsed = ContinuousClock.now - started
                #expect(response.provider == .together)
                #expect(response.text == "Echo: round \(round)")
                // Never waiting out the dead provider's connect timeout (10 s); figures: RELIABILITY.md.
                #expect(elapsed < Self.deadConfiguration(port: port).connectTimeout, "round \(round) took \(elapsed)")
                if ProcessInfo.processInfo.environment["KIMISWARM_RELIABILITY_FIGURES"] == "1" {
                    print("dead-port fallback, round \(round): \(elapsed)")
                }
            }
            // One refused attempt per call (no retry while a fallback waits): the circuit opened
            // after `failure_threshold` calls, and later calls skip the dead provider at once.
            #expect(client.circuitStates()[.moonshot]?["kimi-k2.6"] == "open")
            #expect(live.requestCount == threshold + 2)
        }
    }
}
