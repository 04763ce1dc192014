import Foundation
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting
import Testing

extension LoopbackProviderServer {
    /// The OpenAI-compatible provider of this server behind a fresh in-memory cache.
    func cachedProvider(cache: ResponseCache = ResponseCache(clock: ManualClock())) -> CacheLayer {
        CacheLayer(wrapping: openAIProvider(), cache: cache)
    }
}

func cacheRequest(_ text: String = "Hello", policy: CachePolicy = .use, scope: String = "default") -> ChatRequest {
    ChatRequest(messages: [.user(text)], options: RequestOptions(cache: policy, cacheScope: scope))
}

@Suite("Cache: CacheLayer over the loopback provider")
struct CacheLayerTests {
    @Test("a second identical call is a memory hit with the identical response; the server saw one request")
    func hit() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(OpenAIWire.chatCompletion(id: "first", content: "Paris", reasoningContent: "It is Paris."))
            server.enqueue(OpenAIWire.chatCompletion(id: "second", content: "Lyon"))
            let layer = server.cachedProvider()
            let (responses, outcomes) = try await CacheLayer.withOutcome {
                let first = try await layer.chat(cacheRequest())
                let second = try await layer.chat(cacheRequest())
                return [first, second]
            }
            #expect(responses[0].id == "first")
            #expect(responses[1] == responses[0])
            #expect(server.requestCount == 1)
            #expect(outcomes == [.miss, .hit(.memory)])
            #expect(layer.cache.statistics.hits == 1)
            #expect(layer.cache.statistics.misses == 1)
        }
    }

    @Test("bypass neither reads nor stores")
    func bypass() async throws {
        try await LoopbackProviderServer.withServer { server in
            let layer = server.cachedProvider()
            let (_, outcomes) = try await CacheLayer.withOutcome {
                _ = try await layer.chat(cacheRequest(policy: .bypass))
                _ = try await layer.chat(cacheRequest(policy: .bypass))
                _ = try await layer.chat(cacheRequest())
            }
            #expect(server.requestCount == 3)
            #expect(outcomes == [.bypass, .bypass, .miss])
            #expect(layer.cache.statistics == CacheStatistics(misses: 1, stores: 1, entries: 1, bytes: layer.cache.memory.bytes))
        }
    }

    @Test("refresh skips the read but stores the fresh answer, which later hits return")
    func refresh() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(OpenAIWire.chatCompletion(id: "old", content: "old"))
            server.enqueue(OpenAIWire.chatCompletion(id: "new", content: "new"))
            let layer = server.cachedProvider()
            let (responses, outcomes) = try await CacheLayer.withOutcome {
                let first = try await layer.chat(cacheRequest())
                let refreshed = try await layer.chat(cacheRequest(policy: .refresh))
                let third = try await layer.chat(cacheRequest())
                return [first, refreshed, third]
            }
            #expect(responses.map(\.id) == ["old", "new", "new"])
            #expect(outcomes == [.miss, .refresh, .hit(.memory)])
            #expect(server.requestCount == 2)
        }
    }

    @Test("errors are never cached: after a 500 the next call reaches the server")
    func errorsNotCached() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(OpenAIWire.error(status: 500, message: "boom", type: "server_error"))
            server.enqueue(OpenAIWire.chatCompletion(id: "ok", content: "fine"))
            let layer = server.cachedProvider()
            _ = try await expectKimiError { _ = try await layer.chat(cacheRequest()) }
            #expect(layer.cache.statistics.entries == 0)
            let response = try await layer.chat(cacheRequest())
            #expect(response.id == "ok")
            #expect(server.requestCount == 2)
            #expect(try await layer.chat(cacheRequest()).id == "ok")
            #expect(server.requestCount == 2)
        }
    }

    @Test("responses cut by the token limit or a content filter, and empty ones, are not stored", arguments: ["length", "content_filter", "empty"])
    func notCacheable(kind: String) async throws {
        try await LoopbackProviderServer.withServer { server in
            let first = kind == "empty"
                ? OpenAIWire.chatCompletion(content: "") : OpenAIWire.chatCompletion(content: "trunc", finishReason: kind)
            server.enqueue(first, OpenAIWire.chatCompletion(content: "full"))
            let layer = server.cachedProvider()
            _ = try await layer.chat(cacheRequest())
            #expect(try await layer.chat(cacheRequest()).text == "full")
            #expect(server.requestCount == 2)
        }
    }

    @Test("the same request in two scopes never shares an entry")
    func scopes() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(OpenAIWire.chatCompletion(id: "for-a", content: "A"), OpenAIWire.chatCompletion(id: "for-b", content: "B"))
            let layer = server.cachedProvider()
            let a1 = try await layer.chat(cacheRequest(scope: "tenant-a"))
            let b1 = try await layer.chat(cacheRequest(scope: "tenant-b"))
            #expect(server.requestCount == 2)
            #expect(try await layer.chat(cacheRequest(scope: "tenant-a")) == a1)
            #expect(try await layer.chat(cacheRequest(scope: "tenant-b")) == b1)
            #expect(a1.id == "for-a")
            #expect(b1.id == "for-b")
            #expect(server.requestCount == 2)
        }
    }

    @Test("a cached streaming request replays as a stream whose collect() equals the original")
    func streamReplay() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(
                OpenAIWire.stream(
                    id: "streamed", model: "kimi-k2.6", content: "Checking the weather.", reasoningContent: "Need a tool.",
                    toolCalls: [OpenAIWire.ToolCall(id: "call_1", name: "weather", arguments: #"{"city":"Oslo"}"#)],
                    usage: OpenAIWire.Usage(promptTokens: 12, completionTokens: 9, reasoningTokens: 3)))
            let layer = server.cachedProvider()
            let (original, outcomes) = try await CacheLayer.withOutcome {
                try await layer.chatStream(cacheRequest()).collect()
            }
            #expect(outcomes == [.miss])
            let (replayed, replayOutcomes) = try await CacheLayer.withOutcome {
                try await collectEvents(layer.chatStream(cacheRequest()))
            }
            #expect(replayOutcomes == [.hit(.memory)])
            #expect(server.requestCount == 1)
            #expect(replayed == CacheLayer.replayEvents(for: original))
            #expect(replayed.contains(.contentDelta("Checking the weather.")))
            #expect(replayed.contains(.reasoningDelta("Need a tool.")))
            #expect(replayed.contains(.toolCallDelta(ToolCallDelta(index: 0, id: "call_1", name: "weather", argumentsFragment: #"{"city":"Oslo"}"#))))
            #expect(replayed.contains(.usage(original.usage)))
            #expect(try await layer.chatStream(cacheRequest()).collect() == original)

            var accumulator = ChatStreamAccumulator()
            accumulator.id = original.id
            accumulator.model = original.model
            accumulator.finishReason = original.finishReason
            for event in replayed { accumulator.apply(event) }
            var rebuilt = accumulator.response(provider: .moonshot, fallbackModel: "")
            rebuilt.created = original.created
            #expect(rebuilt == original)

            // A non-streamed request with the same content shares the entry.
            #expect(try await layer.chat(cacheRequest()) == original)
            #expect(server.requestCount == 1)
        }
    }

    @Test("a stream cut mid-way is not cached")
    func streamCut() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(OpenAIWire.stream(content: "A long answer that is cut", cutAfter: 3))
            let layer = server.cachedProvider()
            _ = try await expectKimiError { _ = try await layer.chatStream(cacheRequest()).collect() }
            #expect(layer.cache.statistics.entries == 0)
            let response = try await layer.chatStream(cacheRequest()).collect()
            #expect(response.text == "Echo: Hello")
            #expect(server.requestCount == 2)
        }
    }

    @Test("a stream abandoned before its end is not cached")
    func streamAbandoned() async throws {
        try await LoopbackProviderServer.withServer { server in
            let layer = server.cachedProvider()
            for try await event in layer.chatStream(cacheRequest()) {
                if case .contentDelta = event { break }
            }
            #expect(layer.cache.statistics.stores == 0)
        }
    }

    @Test("statistics are exact: 1 miss and 3 hits give a hit rate of 0.75")
    func statistics() async throws {
        try await LoopbackProviderServer.withServer { server in
            let layer = server.cachedProvider()
            for _ in 0..<4 { _ = try await layer.chat(cacheRequest()) }
            _ = try await layer.chat(cacheRequest(policy: .bypass))
            let statistics = layer.cache.statistics
            #expect(statistics.memoryHits == 3)
            #expect(statistics.persistentHits == 0)
            #expect(statistics.misses == 1)
            #expect(statistics.hitRate == 0.75)
            #expect(statistics.entries == 1)
            let cached = try await layer.chat(cacheRequest())
            #expect(statistics.bytes == (try ResponseCodec.encode(cached)).count)
        }
    }

    @Test("a request without a resolvable model bypasses the cache and the provider reports the problem")
    func noModel() async throws {
        try await LoopbackProviderServer.withServer { server in
            let layer = CacheLayer(wrapping: server.openAIProvider(defaultModel: nil), cache: ResponseCache(clock: ManualClock()))
            let error = try await expectKimiError { _ = try await layer.chat(cacheRequest()) }
            #expect(error.category == .configuration)
            #expect(layer.cache.statistics.lookups == 0)
        }
    }
}
