import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting
import Testing

/// A response whose text is `text`.
func cacheTestResponse(_ text: String, id: String = "r") -> ChatResponse {
    ChatResponse(
        id: id, model: "kimi-k2.6", provider: .moonshot, message: .assistant(text), finishReason: .stop,
        usage: Usage(promptTokens: 3, completionTokens: 2))
}

/// A distinct key per name.
func cacheTestKey(_ name: String) -> CacheKey {
    CacheKey(provider: .moonshot, model: "m", request: ChatRequest(messages: [.user(name)]))
}

@Suite("Cache: in-memory LRU")
struct CacheMemoryTests {
    @Test("get returns what put stored, in its scope only")
    func putGet() {
        let cache = MemoryResponseCache(maxEntries: 10, maxBytes: 1000, clock: ManualClock())
        cache.put(cacheTestResponse("a"), key: cacheTestKey("a"), scope: "s", bytes: 10, ttl: .seconds(60))
        #expect(cache.get(cacheTestKey("a"), scope: "s") == cacheTestResponse("a"))
        #expect(cache.get(cacheTestKey("a"), scope: "other") == nil)
        #expect(cache.get(cacheTestKey("b"), scope: "s") == nil)
        #expect(cache.count == 1)
        #expect(cache.bytes == 10)
    }

    @Test("the least recently used entry is evicted first; a read refreshes recency")
    func lruOrder() {
        let cache = MemoryResponseCache(maxEntries: 3, maxBytes: 1_000_000, clock: ManualClock())
        for name in ["a", "b", "c"] {
            cache.put(cacheTestResponse(name), key: cacheTestKey(name), scope: "s", bytes: 1, ttl: .seconds(60))
        }
        #expect(cache.keysByRecency == ["c", "b", "a"].map(cacheTestKey))
        #expect(cache.get(cacheTestKey("a"), scope: "s") != nil)
        #expect(cache.keysByRecency == ["a", "c", "b"].map(cacheTestKey))
        let result = cache.put(cacheTestResponse("d"), key: cacheTestKey("d"), scope: "s", bytes: 1, ttl: .seconds(60))
        #expect(result == MemoryResponseCache.PutResult(stored: true, evicted: 1))
        #expect(cache.get(cacheTestKey("b"), scope: "s") == nil)
        #expect(cache.keysByRecency == ["d", "a", "c"].map(cacheTestKey))
        #expect(cache.evictions == 1)
        #expect(cache.count == 3)
    }

    @Test("replacing a key keeps one entry with the new response and size")
    func replace() {
        let cache = MemoryResponseCache(maxEntries: 3, maxBytes: 100, clock: ManualClock())
        cache.put(cacheTestResponse("old"), key: cacheTestKey("a"), scope: "s", bytes: 40, ttl: .seconds(60))
        cache.put(cacheTestResponse("new"), key: cacheTestKey("a"), scope: "s", bytes: 30, ttl: .seconds(60))
        #expect(cache.count == 1)
        #expect(cache.bytes == 30)
        #expect(cache.get(cacheTestKey("a"), scope: "s")?.text == "new")
        #expect(cache.evictions == 0)
    }

    @Test("entries expire after their TTL on the injected clock, and are removed")
    func ttl() {
        let clock = ManualClock()
        let cache = MemoryResponseCache(maxEntries: 10, maxBytes: 1000, clock: clock)
        cache.put(cacheTestResponse("a"), key: cacheTestKey("a"), scope: "s", bytes: 10, ttl: .seconds(60))
        cache.put(cacheTestResponse("b"), key: cacheTestKey("b"), scope: "s", bytes: 10, ttl: .seconds(120))
        clock.advance(by: .seconds(59))
        #expect(cache.get(cacheTestKey("a"), scope: "s") != nil)
        clock.advance(by: .seconds(1))
        #expect(cache.get(cacheTestKey("a"), scope: "s") == nil)
        #expect(cache.count == 1)
        #expect(cache.bytes == 10)
        #expect(cache.expirations == 1)
        clock.advance(by: .seconds(60))
        #expect(cache.removeExpired() == 1)
        #expect(cache.count == 0)
        #expect(cache.bytes == 0)
        #expect(cache.evictions == 0)
    }

    @Test("the byte bound evicts least recently used entries; an entry above it is not kept")
    func byteBound() {
        let cache = MemoryResponseCache(maxEntries: 100, maxBytes: 100, clock: ManualClock())
        cache.put(cacheTestResponse("a"), key: cacheTestKey("a"), scope: "s", bytes: 40, ttl: .seconds(60))
        cache.put(cacheTestResponse("b"), key: cacheTestKey("b"), scope: "s", bytes: 40, ttl: .seconds(60))
        let result = cache.put(cacheTestResponse("c"), key: cacheTestKey("c"), scope: "s", bytes: 70, ttl: .seconds(60))
        #expect(result.evicted == 2)
        #expect(cache.keysByRecency == [cacheTestKey("c")])
        #expect(cache.bytes == 70)
        let tooBig = cache.put(cacheTestResponse("d"), key: cacheTestKey("d"), scope: "s", bytes: 101, ttl: .seconds(60))
        #expect(tooBig == MemoryResponseCache.PutResult(stored: false, evicted: 0))
        #expect(cache.keysByRecency == [cacheTestKey("c")])
        #expect(cache.evictions == 2)
    }

    @Test("a bound of zero entries keeps nothing")
    func zeroEntries() {
        let cache = MemoryResponseCache(maxEntries: 0, maxBytes: 100, clock: ManualClock())
        #expect(!cache.put(cacheTestResponse("a"), key: cacheTestKey("a"), scope: "s", bytes: 1, ttl: .seconds(60)).stored)
        #expect(cache.count == 0)
    }

    @Test("slots are reused: many puts through a small cache keep the bounds exact")
    func churn() {
        let cache = MemoryResponseCache(maxEntries: 5, maxBytes: 1_000_000, clock: ManualClock())
        for index in 0..<200 {
            cache.put(cacheTestResponse("\(index)"), key: cacheTestKey("\(index)"), scope: "s", bytes: 3, ttl: .seconds(60))
        }
        #expect(cache.count == 5)
        #expect(cache.bytes == 15)
        #expect(cache.evictions == 195)
        #expect(cache.keysByRecency == (195..<200).reversed().map { cacheTestKey("\($0)") })
    }
}
