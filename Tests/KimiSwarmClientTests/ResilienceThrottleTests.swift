import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting
import Testing

@Suite("Resilience: a 429 with Retry-After is a later try, not a failure")
struct ResilienceThrottleTests {
    /// A budget that allows no retry at all.
    static func spentBudget(_ clock: ManualClock) -> RetryBudget {
        RetryBudget(ratio: 0, window: .seconds(10), minRetriesPerWindow: 0, clock: clock)
    }

    static func layer(
        _ provider: any LLMProvider, clock: ManualClock, budget: RetryBudget, maxAttempts: Int = 3
    ) -> RetryLayer {
        RetryLayer(
            provider, policy: RetryPolicy(maxAttempts: maxAttempts, initialBackoff: .milliseconds(500), maxBackoff: .seconds(30)),
            budget: budget, clock: clock, random: ResilienceFixtures.fixedRandom(0.5), logger: testLogger)
    }

    @Test("429s with Retry-After are honoured without spending the retry budget")
    func throttleSpendsNoBudget() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(
                ResilienceFixtures.tooManyRequests(retryAfter: 2), ResilienceFixtures.tooManyRequests(retryAfter: 3), ResilienceFixtures.ok)
            let clock = ManualClock()
            let budget = Self.spentBudget(clock)
            let layer = Self.layer(server.openAIProvider(), clock: clock, budget: budget)
            try await withThrowingTaskGroup(of: ChatResponse.self) { group in
                group.addTask { try await layer.chat(ResilienceFixtures.request) }
                #expect(await clock.waitForSleepers(1))
                #expect(clock.sleeperDeadlines == [.seconds(2)])
                clock.advance(by: .milliseconds(1999))
                #expect(server.requestCount == 1)
                clock.advance(by: .milliseconds(1))
                #expect(await clock.waitForSleepers(1))
                #expect(clock.sleeperDeadlines == [.seconds(5)])
                #expect(server.requestCount == 2)
                clock.advance(by: .seconds(3))
                let response = try #require(try await group.next())
                #expect(response.text == "ok")
            }
            #expect(server.requestCount == 3)
            #expect(budget.counts.retries == 0)
        }
    }

    @Test("a 429 still refused after the last attempt says so, keeps Retry-After, and blames no budget")
    func attemptsExhausted() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(Array(repeating: ResilienceFixtures.tooManyRequests(retryAfter: 2), count: 3))
            let clock = ManualClock()
            let layer = Self.layer(server.openAIProvider(), clock: clock, budget: Self.spentBudget(clock))
            try await withThrowingTaskGroup(of: KimiSwarmError.self) { group in
                group.addTask { try await expectKimiError { _ = try await layer.chat(ResilienceFixtures.request) } }
                for _ in 1...2 {
                    #expect(await clock.waitForSleepers(1))
                    clock.advance(by: .seconds(2))
                }
                let error = try #require(try await group.next())
                #expect(error.category == .rateLimit)
                #expect(error.httpStatus == 429)
                #expect(error.attempts == 3)
                #expect(error.retryAfter == .seconds(2))
                #expect(error.reason == nil)
                #expect(error.message == "the provider is rate limiting requests; gave up after 3 attempts: retry.max_attempts is 3 (retry budget not exhausted)")
                #expect(error.description.contains("(retry after 2 s)"))
                #expect(error.jsonValue["attempts"] == .int(3))
            }
            #expect(server.requestCount == 3)
        }
    }

    @Test("a 429 without Retry-After is a failure: it spends the budget, and the error says the budget stopped it")
    func plainTooManyRequestsSpendsBudget() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(OpenAIWire.error(status: 429, message: "Rate limit reached", type: "requests"), ResilienceFixtures.ok)
            let clock = ManualClock()
            let layer = Self.layer(server.openAIProvider(), clock: clock, budget: Self.spentBudget(clock))
            let error = try await expectKimiError { _ = try await layer.chat(ResilienceFixtures.request) }
            #expect(error.reason == .retryBudgetExhausted)
            #expect(error.attempts == 1)
            #expect(error.message.hasSuffix("gave up after 1 attempt: the client's retry budget is spent (retries are capped at retry.budget_ratio of the calls over retry.budget_window)"))
            #expect(server.requestCount == 1)
        }
    }

    @Test("a Retry-After that ends past the call's deadline (request_timeout) is returned at once")
    func retryAfterPastDeadline() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(ResilienceFixtures.tooManyRequests(retryAfter: 20), ResilienceFixtures.ok)
            let clock = ManualClock()
            let provider = server.openAIProvider(requestTimeout: .seconds(15))
            let layer = Self.layer(provider, clock: clock, budget: RetryBudget(clock: clock))
            let error = try await expectKimiError { _ = try await layer.chat(ResilienceFixtures.request) }
            #expect(error.reason == .retryPastDeadline)
            #expect(error.retryAfter == .seconds(20))
            #expect(error.attempts == 1)
            #expect(error.message.contains("waiting 20 s more would pass the call's deadline (request_timeout 15 s from its start)"))
            #expect(server.requestCount == 1)
        }
    }

    @Test("a Retry-After above max_retry_after is returned at once, with its reason")
    func retryAfterTooLong() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(ResilienceFixtures.tooManyRequests(retryAfter: 120), ResilienceFixtures.ok)
            let clock = ManualClock()
            let layer = Self.layer(server.openAIProvider(), clock: clock, budget: RetryBudget(clock: clock))
            let error = try await expectKimiError { _ = try await layer.chat(ResilienceFixtures.request) }
            #expect(error.reason == .retryAfterTooLong)
            #expect(error.retryAfter == .seconds(120))
            #expect(error.message.contains("the provider asked to wait 120 s, longer than retry.max_retry_after (60 s)"))
            #expect(server.requestCount == 1)
        }
    }
}
