import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting
import Testing

@Suite("Resilience: the whole stack over the loopback server")
struct ResilienceStackTests {
    static func configuration() -> KimiSwarmConfiguration {
        KimiSwarmConfiguration(
            retry: RetrySettings(maxAttempts: 3, initialBackoff: .zero),
            circuitBreaker: CircuitBreakerSettings(failureThreshold: 3, resetTimeout: .seconds(30), halfOpenSuccessesToClose: 1),
            rateLimit: RateLimitSettings(maxRequests: 100, maxConcurrent: 2))
    }

    @Test("each retry passes the breaker: a 5xx burst opens it, and the open circuit is not retried")
    func retriesPassTheBreaker() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(Array(repeating: ResilienceFixtures.serverError, count: 6))
            let clock = ManualClock()
            let stack = ResilienceStack.wrap(
                server.openAIProvider(), configuration: Self.configuration(),
                budget: RetryBudget(settings: RetrySettings(), clock: clock), clock: clock, random: ResilienceFixtures.fixedRandom(0),
                logger: testLogger)
            let first = try await expectKimiError { _ = try await stack.chat(ResilienceFixtures.request) }
            #expect(first.httpStatus == 500)
            #expect(server.requestCount == 3)
            let second = try await expectKimiError { _ = try await stack.chat(ResilienceFixtures.request) }
            #expect(second.reason == .circuitOpen)
            #expect(second.retryAfter == .seconds(30))
            #expect(server.requestCount == 3)

            server.clearQueue()
            server.enqueue(ResilienceFixtures.ok)
            clock.advance(by: .seconds(30))
            let response = try await stack.chat(ResilienceFixtures.request)
            #expect(response.text == "ok")
            #expect(server.requestCount == 4)
        }
    }

    @Test("build exposes the circuit states and the bulkhead of the stack it wraps")
    func buildExposesLayers() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(Array(repeating: ResilienceFixtures.serverError, count: 3))
            let clock = ManualClock()
            let layers = ResilienceStack.build(
                server.openAIProvider(), configuration: Self.configuration(),
                budget: RetryBudget(settings: RetrySettings(), clock: clock), clock: clock, random: ResilienceFixtures.fixedRandom(0),
                logger: testLogger)
            #expect(layers.rateLimit.settings.maxConcurrent == 2)
            _ = try await expectKimiError { _ = try await layers.provider.chat(ResilienceFixtures.request) }
            #expect(layers.circuitBreaker.states() == ["kimi-k2.6": .open])
            #expect(layers.rateLimit.inFlight == 0)
        }
    }

    @Test("a stream dropped early gives its bulkhead permit back")
    func droppedStreamReleasesPermit() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(OpenAIWire.stream(model: "kimi-k2.6", content: "a long streamed answer", chunkSize: 2))
            let layer = RateLimitLayer(
                server.openAIProvider(), settings: RateLimitSettings(maxConcurrent: 1), clock: ManualClock(), logger: testLogger)
            do {
                var iterator = layer.chatStream(ResilienceFixtures.request).makeAsyncIterator()
                _ = try await iterator.next()
                #expect(layer.inFlight == 1)
            }
            #expect(await eventually { layer.inFlight == 0 })
        }
    }

    @Test("a failed stream gives its bulkhead permit back")
    func failedStreamReleasesPermit() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(ResilienceFixtures.streamFailingAfterFirstEvent)
            let layer = RateLimitLayer(
                server.openAIProvider(), settings: RateLimitSettings(maxConcurrent: 1), clock: ManualClock(), logger: testLogger)
            _ = try await expectKimiError { _ = try await layer.chatStream(ResilienceFixtures.request).collect() }
            #expect(layer.inFlight == 0)
        }
    }
}
