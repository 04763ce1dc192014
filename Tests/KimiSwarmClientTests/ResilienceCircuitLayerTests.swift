import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting
import Testing

@Suite("Resilience: circuit breaker layer over the loopback server")
struct ResilienceCircuitLayerTests {
    static let settings = CircuitBreakerSettings(failureThreshold: 3, resetTimeout: .seconds(30), halfOpenSuccessesToClose: 2)

    @Test("a 5xx burst opens the circuit; the next call fails fast without reaching the server")
    func burstOpens() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(Array(repeating: ResilienceFixtures.serverError, count: 3) + [ResilienceFixtures.ok])
            let clock = ManualClock()
            let layer = CircuitBreakerLayer(server.openAIProvider(), settings: Self.settings, clock: clock, logger: testLogger)
            for _ in 0..<3 {
                let error = try await expectKimiError { _ = try await layer.chat(ResilienceFixtures.request) }
                #expect(error.httpStatus == 500)
            }
            #expect(layer.states() == ["kimi-k2.6": .open])
            clock.advance(by: .seconds(10))
            let error = try await expectKimiError { _ = try await layer.chat(ResilienceFixtures.request) }
            #expect(error.reason == .circuitOpen)
            #expect(error.category == .provider)
            #expect(!error.isRetryable)
            #expect(error.provider == .moonshot)
            #expect(error.retryAfter == .seconds(20))
            #expect(error.message.contains("moonshot/kimi-k2.6"))
            #expect(server.requestCount == 3)
        }
    }

    @Test("after the cool-down, successful probes close the circuit; other models are unaffected")
    func probesClose() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(Array(repeating: ResilienceFixtures.serverError, count: 3))
            let clock = ManualClock()
            let layer = CircuitBreakerLayer(server.openAIProvider(), settings: Self.settings, clock: clock, logger: testLogger)
            for _ in 0..<3 { _ = try await expectKimiError { _ = try await layer.chat(ResilienceFixtures.request) } }
            server.enqueue(ResilienceFixtures.ok)
            var other = ResilienceFixtures.request
            other.model = "kimi-k3"
            _ = try await layer.chat(other)
            #expect(layer.states() == ["kimi-k2.6": .open, "kimi-k3": .closed])

            clock.advance(by: .seconds(30))
            #expect(layer.states()["kimi-k2.6"] == .halfOpen)
            server.enqueue(ResilienceFixtures.ok, ResilienceFixtures.ok)
            _ = try await layer.chat(ResilienceFixtures.request)
            #expect(layer.states()["kimi-k2.6"] == .halfOpen)
            _ = try await layer.chat(ResilienceFixtures.request)
            #expect(layer.states()["kimi-k2.6"] == .closed)
            #expect(server.requestCount == 6)
        }
    }

    @Test("a failed probe re-opens the circuit")
    func failedProbeReopens() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(Array(repeating: ResilienceFixtures.serverError, count: 4))
            let clock = ManualClock()
            let layer = CircuitBreakerLayer(server.openAIProvider(), settings: Self.settings, clock: clock, logger: testLogger)
            for _ in 0..<3 { _ = try await expectKimiError { _ = try await layer.chat(ResilienceFixtures.request) } }
            clock.advance(by: .seconds(30))
            let probeError = try await expectKimiError { _ = try await layer.chat(ResilienceFixtures.request) }
            #expect(probeError.httpStatus == 500)
            #expect(layer.states()["kimi-k2.6"] == .open)
            let error = try await expectKimiError { _ = try await layer.chat(ResilienceFixtures.request) }
            #expect(error.retryAfter == .seconds(30))
            #expect(server.requestCount == 4)
        }
    }

    @Test("request errors (400) and rate limits (429) do not open the circuit")
    func nonCountingErrors() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(
                ResilienceFixtures.badRequest, ResilienceFixtures.badRequest, ResilienceFixtures.tooManyRequests(retryAfter: 1),
                ResilienceFixtures.tooManyRequests(retryAfter: 1), ResilienceFixtures.ok)
            let layer = CircuitBreakerLayer(server.openAIProvider(), settings: Self.settings, clock: ManualClock(), logger: testLogger)
            for _ in 0..<4 { _ = try await expectKimiError { _ = try await layer.chat(ResilienceFixtures.request) } }
            #expect(layer.states()["kimi-k2.6"] == .closed)
            _ = try await layer.chat(ResilienceFixtures.request)
        }
    }

    @Test("streams: a finished stream is a success, a failed one a failure")
    func streams() async throws {
        try await LoopbackProviderServer.withServer { server in
            let settings = CircuitBreakerSettings(failureThreshold: 2, resetTimeout: .seconds(30))
            let layer = CircuitBreakerLayer(server.openAIProvider(), settings: settings, clock: ManualClock(), logger: testLogger)
            server.enqueue(ResilienceFixtures.streamFailingAfterFirstEvent, OpenAIWire.stream(model: "kimi-k2.6", content: "fine"))
            _ = try await expectKimiError { _ = try await layer.chatStream(ResilienceFixtures.request).collect() }
            _ = try await layer.chatStream(ResilienceFixtures.request).collect()
            server.enqueue(ResilienceFixtures.streamFailingAfterFirstEvent, ResilienceFixtures.streamFailingAfterFirstEvent)
            _ = try await expectKimiError { _ = try await layer.chatStream(ResilienceFixtures.request).collect() }
            #expect(layer.states()["kimi-k2.6"] == .closed)
            _ = try await expectKimiError { _ = try await layer.chatStream(ResilienceFixtures.request).collect() }
            #expect(layer.states()["kimi-k2.6"] == .open)
            let error = try await expectKimiError { _ = try await layer.chatStream(ResilienceFixtures.request).collect() }
            #expect(error.reason == .circuitOpen)
            #expect(server.requestCount == 4)
        }
    }
}
