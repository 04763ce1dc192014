import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting
import Testing

@Suite("Resilience: retry layer over the loopback server")
struct ResilienceRetryLayerTests {
    static func retrying(
        _ provider: any LLMProvider, clock: ManualClock, maxAttempts: Int = 3, initialBackoff: Duration = .zero,
        budget: RetryBudget? = nil, random: Double = 0
    ) -> RetryLayer {
        RetryLayer(
            provider, policy: RetryPolicy(maxAttempts: maxAttempts, initialBackoff: initialBackoff, maxBackoff: .seconds(30)),
            budget: budget ?? RetryBudget(ratio: 0.2, window: .seconds(10), minRetriesPerWindow: 3, clock: clock), clock: clock,
            random: ResilienceFixtures.fixedRandom(random), logger: testLogger)
    }

    @Test("a 429 with Retry-After 7 s is retried only after the clock advanced 7 s (full stack)")
    func honoursRetryAfter() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(ResilienceFixtures.tooManyRequests(retryAfter: 7), ResilienceFixtures.ok)
            let clock = ManualClock()
            let stack = ResilienceStack.wrap(
                server.openAIProvider(), configuration: KimiSwarmConfiguration(), budget: RetryBudget(settings: RetrySettings(), clock: clock),
                clock: clock, random: ResilienceFixtures.fixedRandom(0.5), logger: testLogger)
            try await withThrowingTaskGroup(of: ChatResponse.self) { group in
                group.addTask { try await stack.chat(ResilienceFixtures.request) }
                #expect(await clock.waitForSleepers(1))
                #expect(clock.sleeperDeadlines == [.seconds(7)])
                #expect(server.requestCount == 1)
                clock.advance(by: .seconds(6))
                #expect(server.requestCount == 1)
                clock.advance(by: .seconds(1))
                let response = try #require(try await group.next())
                #expect(response.text == "ok")
            }
            #expect(server.requestCount == 2)
        }
    }

    @Test("a Retry-After above max_retry_after is returned at once")
    func retryAfterAboveCap() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(ResilienceFixtures.tooManyRequests(retryAfter: 120), ResilienceFixtures.ok)
            let layer = Self.retrying(server.openAIProvider(), clock: ManualClock())
            let error = try await expectKimiError { _ = try await layer.chat(ResilienceFixtures.request) }
            #expect(error.category == .rateLimit)
            #expect(error.retryAfter == .seconds(120))
            #expect(server.requestCount == 1)
        }
    }

    @Test("a non-retryable 400 is not retried")
    func badRequestNotRetried() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(ResilienceFixtures.badRequest, ResilienceFixtures.ok)
            let layer = Self.retrying(server.openAIProvider(), clock: ManualClock())
            let error = try await expectKimiError { _ = try await layer.chat(ResilienceFixtures.request) }
            #expect(error.category == .invalidRequest)
            #expect(error.reason == nil)
            #expect(server.requestCount == 1)
        }
    }

    @Test("5xx is retried up to maxAttempts, with exponential backoff")
    func stopsAtMaxAttempts() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(Array(repeating: ResilienceFixtures.serverError, count: 5))
            let clock = ManualClock()
            let layer = RetryLayer(
                server.openAIProvider(), policy: RetryPolicy(maxAttempts: 3, initialBackoff: .seconds(1), maxBackoff: .seconds(30)),
                budget: RetryBudget(clock: clock), clock: clock, random: ResilienceFixtures.fixedRandom(0.999_999), logger: testLogger)
            try await withThrowingTaskGroup(of: KimiSwarmError.self) { group in
                group.addTask { try await expectKimiError { _ = try await layer.chat(ResilienceFixtures.request) } }
                #expect(await clock.waitForSleepers(1))
                #expect(clock.sleeperDeadlines.first.map { $0 > .milliseconds(999) && $0 < .seconds(1) } == true)
                clock.advance(by: .seconds(1))
                #expect(await clock.waitForSleepers(1))
                #expect(clock.sleeperDeadlines.first.map { $0 > .seconds(2.99) && $0 < .seconds(3) } == true)
                clock.advance(by: .seconds(2))
                let error = try #require(try await group.next())
                #expect(error.category == .provider)
                #expect(error.httpStatus == 500)
                #expect(error.reason == nil)
            }
            #expect(server.requestCount == 3)
        }
    }

    @Test("the retry budget caps retries under a failing upstream")
    func budgetCapsRetries() async throws {
        try await LoopbackProviderServer.withServer { server in
            let calls = 20
            server.enqueue(Array(repeating: ResilienceFixtures.serverError, count: calls * 3))
            let clock = ManualClock()
            let budget = RetryBudget(ratio: 0.2, window: .seconds(10), minRetriesPerWindow: 3, clock: clock)
            let layer = Self.retrying(server.openAIProvider(), clock: clock, budget: budget)
            var exhausted = 0
            for _ in 0..<calls {
                let error = try await expectKimiError { _ = try await layer.chat(ResilienceFixtures.request) }
                #expect(error.category == .provider)
                if error.reason == .retryBudgetExhausted { exhausted += 1 }
            }
            // Without a budget: 20 × 3 = 60 requests. With it: at most 20 × 1.2 + 3.
            #expect(server.requestCount <= Int(Double(calls) * 1.2) + 3)
            #expect(server.requestCount > calls)
            #expect(exhausted > 0)
        }
    }

    @Test("a stream that fails before its first event is retried")
    func streamRetriedBeforeFirstEvent() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(ResilienceFixtures.serverError, OpenAIWire.stream(model: "kimi-k2.6", content: "hello there"))
            let layer = Self.retrying(server.openAIProvider(), clock: ManualClock())
            let response = try await layer.chatStream(ResilienceFixtures.request).collect()
            #expect(response.text == "hello there")
            #expect(server.requestCount == 2)
        }
    }

    @Test("a stream that fails after its first event is not retried")
    func streamNotRetriedAfterFirstEvent() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(ResilienceFixtures.streamFailingAfterFirstEvent, OpenAIWire.stream(model: "kimi-k2.6", content: "hello"))
            let layer = Self.retrying(server.openAIProvider(), clock: ManualClock())
            var events: [ChatStreamEvent] = []
            let error = try await expectKimiError {
                for try await event in layer.chatStream(ResilienceFixtures.request) { events.append(event) }
            }
            #expect(error.category == .provider)
            #expect(events == [.contentDelta("Hel")])
            #expect(server.requestCount == 1)
        }
    }

    @Test("a cancelled call is not retried")
    func cancellationNotRetried() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(ResilienceFixtures.serverError, ResilienceFixtures.ok)
            let clock = ManualClock()
            let layer = Self.retrying(server.openAIProvider(), clock: clock, initialBackoff: .seconds(10), random: 0.5)
            let task = Task { try await layer.chat(ResilienceFixtures.request) }
            #expect(await clock.waitForSleepers(1))
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(server.requestCount == 1)
        }
    }
}
