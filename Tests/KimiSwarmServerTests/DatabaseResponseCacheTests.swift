import Foundation
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmPlatform
import KimiSwarmStore
import Testing

/// The response cache's persistent tier (L2) in the store: what the client's SQLite file used
/// to do, on SQLite and PostgreSQL through the store.
@Suite("Cache: the store's persistent tier")
struct DatabaseResponseCacheTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func key(_ name: String) -> CacheKey {
        CacheKey(provider: .moonshot, model: "m", request: ChatRequest(messages: [.user(name)]))
    }

    static func response(_ text: String) -> ChatResponse {
        ChatResponse(
            id: "r", model: "kimi-k2.6", provider: .moonshot, message: .assistant(text), finishReason: .stop,
            usage: Usage(promptTokens: 3, completionTokens: 2))
    }

    static func entry(_ name: String, scope: String = "s", expiresIn: TimeInterval = 60) throws -> StoredResponse {
        StoredResponse(
            key: key(name), scope: scope, provider: .moonshot, model: "kimi-k2.6", createdAt: t0,
            expiresAt: t0.addingTimeInterval(expiresIn), body: try ResponseCodec.encode(response(name)))
    }

    static func withCache<T: Sendable>(
        _ location: StoreLocation, _ body: @Sendable (DatabaseResponseCache) async throws -> T
    ) async throws -> T {
        try await SwarmStore.withStore(StoreConfiguration(location: location), logger: serverTestLogger) { store in
            try await body(DatabaseResponseCache(store: store))
        }
    }

    @Test("put then get returns the entry, byte for byte; a missing key is nil", arguments: TestDatabase.available)
    func putGet(_ kind: TestDatabase) async throws {
        try await withFreshLocation(kind) { location in
            try await Self.withCache(location) { cache in
                let entry = try Self.entry("a")
                try await cache.put(entry)
                let read = try #require(try await cache.get(key: entry.key, scope: "s", now: Self.t0))
                #expect(read.key == entry.key && read.scope == "s" && read.expiresAt == entry.expiresAt)
                #expect(read.body == entry.body)
                #expect(try ResponseCodec.decode(read.body) == Self.response("a"))
                #expect(try await cache.get(key: Self.key("b"), scope: "s", now: Self.t0) == nil)
                #expect(try await cache.count() == 1)
            }
        }
    }

    @Test("expired entries are not returned and removeExpired deletes exactly them", arguments: TestDatabase.available)
    func expiry(_ kind: TestDatabase) async throws {
        try await withFreshLocation(kind) { location in
            try await Self.withCache(location) { cache in
                try await cache.put(Self.entry("short", expiresIn: 10))
                try await cache.put(Self.entry("long", expiresIn: 100))
                let later = Self.t0.addingTimeInterval(10)
                #expect(try await cache.get(key: Self.key("short"), scope: "s", now: later) == nil)
                #expect(try await cache.get(key: Self.key("long"), scope: "s", now: later) != nil)
                #expect(try await cache.count() == 2)
                #expect(try await cache.removeExpired(now: later) == 1)
                #expect(try await cache.count() == 1)
                try await cache.remove(key: Self.key("long"), scope: "s")
                #expect(try await cache.count() == 0)
            }
        }
    }

    @Test("an entry is returned only in its own scope, even for the same key", arguments: TestDatabase.available)
    func scopesIsolated(_ kind: TestDatabase) async throws {
        try await withFreshLocation(kind) { location in
            try await Self.withCache(location) { cache in
                try await cache.put(Self.entry("a", scope: "tenant:acme"))
                try await cache.put(Self.entry("b", scope: "default"))
                #expect(try await cache.get(key: Self.key("a"), scope: "tenant:other", now: Self.t0) == nil)
                #expect(try await cache.get(key: Self.key("a"), scope: "default", now: Self.t0) == nil)
                #expect(try await cache.get(key: Self.key("a"), scope: "tenant:acme", now: Self.t0) != nil)
                #expect(try await cache.get(key: Self.key("b"), scope: "tenant:default", now: Self.t0) == nil)
                try await cache.remove(key: Self.key("a"), scope: "tenant:other")
                #expect(try await cache.count() == 2)
            }
        }
    }

    @Test("entries survive closing the store and opening it again (a new process)", arguments: TestDatabase.available)
    func reopen(_ kind: TestDatabase) async throws {
        try await withFreshLocation(kind) { location in
            try await Self.withCache(location) { try await $0.put(Self.entry("a")) }
            try await Self.withCache(location) { cache in
                let read = try await cache.get(key: Self.key("a"), scope: "s", now: Self.t0)
                #expect(try read.map { try ResponseCodec.decode($0.body) } == Self.response("a"))
            }
        }
    }

    @Test("two stores on one database (two processes) see each other's writes", arguments: TestDatabase.available)
    func twoStores(_ kind: TestDatabase) async throws {
        try await withFreshLocation(kind) { location in
            try await Self.withCache(location) { first in
                try await Self.withCache(location) { second in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for index in 0..<20 {
                            let cache = index.isMultiple(of: 2) ? first : second
                            group.addTask { try await cache.put(Self.entry("k\(index)")) }
                        }
                        try await group.waitForAll()
                    }
                    #expect(try await first.count() == 20)
                    #expect(try await second.get(key: Self.key("k0"), scope: "s", now: Self.t0) != nil)
                }
            }
        }
    }
}
