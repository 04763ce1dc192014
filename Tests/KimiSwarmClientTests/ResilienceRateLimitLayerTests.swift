import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting
import Testing

@Suite("Resilience: rate limit layer and bulkhead over the loopback server")
struct ResilienceRateLimitLayerTests {
    @Test("3 requests per minute: the 4th call waits 20 s for the clock")
    func requestsPerMinute() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(Array(repeating: ResilienceFixtures.ok, count: 4))
            let clock = ManualClock()
            let layer = RateLimitLayer(
                server.openAIProvider(), settings: RateLimitSettings(maxRequests: 3, window: .seconds(60), maxWait: .seconds(60)),
                clock: clock, logger: testLogger)
            for _ in 0..<3 { _ = try await layer.chat(ResilienceFixtures.request) }
            try await withThrowingTaskGroup(of: ChatResponse.self) { group in
                group.addTask { try await layer.chat(ResilienceFixtures.request) }
                #expect(await clock.waitForSleepers(1))
                #expect(clock.sleeperDeadlines == [.seconds(20)])
                #expect(server.requestCount == 3)
                clock.advance(by: .seconds(20))
                _ = try await group.next()
            }
            #expect(server.requestCount == 4)
        }
    }

    @Test("a call that would wait longer than max_wait fails at once with rateLimitTimeout")
    func rateLimitTimeout() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(ResilienceFixtures.ok, ResilienceFixtures.ok)
            let layer = RateLimitLayer(
                server.openAIProvider(), settings: RateLimitSettings(maxRequests: 1, window: .seconds(60), maxWait: .seconds(30)),
                clock: ManualClock(), logger: testLogger)
            _ = try await layer.chat(ResilienceFixtures.request)
            let error = try await expectKimiError { _ = try await layer.chat(ResilienceFixtures.request) }
            #expect(error.category == .rateLimit)
            #expect(error.isRetryable)
            #expect(error.reason == .rateLimitTimeout)
            #expect(error.message.contains("moonshot"))
            #expect(server.requestCount == 1)
        }
    }

    @Test("the token bucket limits estimated tokens per minute")
    func tokensPerMinute() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(Array(repeating: OpenAIWire.chatCompletion(model: "kimi-k2.6", content: "ok", usage: nil), count: 3))
            let clock = ManualClock()
            let layer = RateLimitLayer(
                server.openAIProvider(),
                settings: RateLimitSettings(maxRequests: 1000, maxTokensPerMinute: 2500, maxWait: .seconds(60)),
                clock: clock, logger: testLogger)
            var request = ResilienceFixtures.request
            request.maxTokens = 1000
            let bigRequest = request
            _ = try await layer.chat(request)
            _ = try await layer.chat(request)
            try await withThrowingTaskGroup(of: ChatResponse.self) { group in
                group.addTask { try await layer.chat(bigRequest) }
                #expect(await clock.waitForSleepers(1))
                #expect(server.requestCount == 2)
                clock.advanceToNextDeadline()
                _ = try await group.next()
            }
            #expect(server.requestCount == 3)
        }
    }

    @Test("callers beyond the bulkhead are served in FIFO order")
    func bulkheadFIFO() async throws {
        try await LoopbackProviderServer.withServer { server in
            // The first call holds the only slot long enough for all four waiters to queue, even on a
            // loaded machine (300 ms was not: the first call finished while waiters were still arriving).
            server.enqueue([.delayed(.seconds(3), ResilienceFixtures.ok)] + Array(repeating: .delayed(.milliseconds(10), ResilienceFixtures.ok), count: 4))
            let layer = RateLimitLayer(
                server.openAIProvider(), settings: RateLimitSettings(maxRequests: 100, maxConcurrent: 1), clock: ManualClock(),
                logger: testLogger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { _ = try await layer.chat(ResilienceFixtures.request("first")) }
                #expect(await eventually { layer.inFlight == 1 })
                for (index, name) in ["second", "third", "fourth", "fifth"].enumerated() {
                    group.addTask { _ = try await layer.chat(ResilienceFixtures.request(name)) }
                    #expect(await eventually { layer.waiting == index + 1 })
                }
                try await group.waitForAll()
            }
            #expect(try server.userMessages() == ["first", "second", "third", "fourth", "fifth"])
            #expect(layer.inFlight == 0)
        }
    }

    @Test("a waiter times out cleanly with bulkheadTimeout; the queue is left empty")
    func bulkheadTimeout() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(.hang)
            let clock = ManualClock()
            let layer = RateLimitLayer(
                server.openAIProvider(), settings: RateLimitSettings(maxRequests: 100, maxConcurrent: 1, maxWait: .seconds(5)),
                clock: clock, logger: testLogger)
            let holder = Task { try await layer.chat(ResilienceFixtures.request("holder")) }
            #expect(await eventually { layer.inFlight == 1 })
            #expect(await server.waitForRequests(1, timeout: .seconds(30)))
            try await withThrowingTaskGroup(of: KimiSwarmError.self) { group in
                group.addTask { try await expectKimiError { _ = try await layer.chat(ResilienceFixtures.request("waiter")) } }
                #expect(await eventually { layer.waiting == 1 })
                #expect(await clock.waitForSleepers(1))
                clock.advance(by: .seconds(5))
                let error = try #require(try await group.next())
                #expect(error.category == .rateLimit)
                #expect(error.isRetryable)
                #expect(error.reason == .bulkheadTimeout)
                #expect(error.message.contains("moonshot"))
            }
            #expect(layer.waiting == 0)
            #expect(layer.inFlight == 1)
            holder.cancel()
            _ = try? await holder.value
            #expect(await eventually { layer.inFlight == 0 })
            #expect(server.requestCount == 1)
        }
    }

    @Test("a cancelled waiter leaves the queue at once; the next waiter gets the slot")
    func cancelledWaiterLeaves() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(.hang, ResilienceFixtures.ok)
            let clock = ManualClock()
            let layer = RateLimitLayer(
                server.openAIProvider(), settings: RateLimitSettings(maxRequests: 100, maxConcurrent: 1), clock: clock,
                logger: testLogger)
            let holder = Task { try await layer.chat(ResilienceFixtures.request("holder")) }
            #expect(await eventually { layer.inFlight == 1 })
            #expect(await server.waitForRequests(1, timeout: .seconds(30)))
            let cancelled = Task { try await layer.chat(ResilienceFixtures.request("cancelled")) }
            #expect(await eventually { layer.waiting == 1 })
            let patient = Task { try await layer.chat(ResilienceFixtures.request("patient")) }
            #expect(await eventually { layer.waiting == 2 })
            cancelled.cancel()
            await #expect(throws: CancellationError.self) { try await cancelled.value }
            #expect(layer.waiting == 1)
            holder.cancel()
            _ = try? await holder.value
            let response = try await patient.value
            #expect(response.text == "ok")
            #expect(try server.userMessages() == ["holder", "patient"])
            #expect(layer.inFlight == 0)
        }
    }

    @Test("a stream holds its permit until it finishes")
    func streamHoldsPermit() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(OpenAIWire.stream(model: "kimi-k2.6", content: "streamed answer"))
            let layer = RateLimitLayer(
                server.openAIProvider(), settings: RateLimitSettings(maxConcurrent: 1), clock: ManualClock(), logger: testLogger)
            var iterator = layer.chatStream(ResilienceFixtures.request).makeAsyncIterator()
            _ = try await iterator.next()
            #expect(layer.inFlight == 1)
            while try await iterator.next() != nil {}
            #expect(layer.inFlight == 0)
        }
    }
}
