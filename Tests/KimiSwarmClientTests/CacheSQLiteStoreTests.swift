import Foundation
import KimiSwarmClient
import KimiSwarmCore
import Testing

/// A fresh folder under the temporary directory, removed after `body`.
func withTemporaryFolder<T>(_ body: (String) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kimiswarm-cache-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    return try await body(folder)
}

@Suite("Cache: SQLite store")
struct CacheSQLiteStoreTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func entry(_ name: String, scope: String = "s", expiresIn: TimeInterval = 60) throws -> StoredResponse {
        StoredResponse(
            key: cacheTestKey(name), scope: scope, provider: .moonshot, model: "kimi-k2.6", createdAt: t0,
            expiresAt: t0.addingTimeInterval(expiresIn), body: try ResponseCodec.encode(cacheTestResponse(name)))
    }

    @Test("put then get returns the entry; the folder is created; the table has the documented shape")
    func putGet() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/nested/cache.sqlite"
            try await SQLiteResponseCacheStore.withStore(path: path) { store in
                let entry = try Self.entry("a")
                try await store.put(entry)
                let read = try await store.get(key: entry.key, scope: "s", now: Self.t0)
                #expect(read == entry)
                #expect(try ResponseCodec.decode(#require(read).body) == cacheTestResponse("a"))
                #expect(try await store.get(key: cacheTestKey("b"), scope: "s", now: Self.t0) == nil)
                #expect(try await store.count() == 1)
            }
            #expect(FileManager.default.fileExists(atPath: path))
        }
    }

    @Test("expired entries are not returned and removeExpired deletes exactly them")
    func expiry() async throws {
        try await withTemporaryFolder { folder in
            try await SQLiteResponseCacheStore.withStore(path: folder + "/cache.sqlite") { store in
                try await store.put(Self.entry("short", expiresIn: 10))
                try await store.put(Self.entry("long", expiresIn: 100))
                let later = Self.t0.addingTimeInterval(10)
                #expect(try await store.get(key: cacheTestKey("short"), scope: "s", now: later) == nil)
                #expect(try await store.get(key: cacheTestKey("long"), scope: "s", now: later) != nil)
                #expect(try await store.count() == 2)
                #expect(try await store.removeExpired(now: later) == 1)
                #expect(try await store.count() == 1)
                try await store.remove(key: cacheTestKey("long"), scope: "s")
                #expect(try await store.count() == 0)
            }
        }
    }

    @Test("entries survive closing and reopening the file")
    func reopen() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/cache.sqlite"
            try await SQLiteResponseCacheStore.withStore(path: path) { try await $0.put(Self.entry("a")) }
            try await SQLiteResponseCacheStore.withStore(path: path) { store in
                let read = try await store.get(key: cacheTestKey("a"), scope: "s", now: Self.t0)
                let expected = try Self.entry("a")
                #expect(read?.key == expected.key)
                #expect(read?.expiresAt == expected.expiresAt)
                #expect(try read.map { try ResponseCodec.decode($0.body) } == cacheTestResponse("a"))
                #expect(read.map { String(decoding: $0.body, as: UTF8.self) } == String(decoding: expected.body, as: UTF8.self))
            }
        }
    }

    @Test("an entry is returned only in its own scope, even for the same key")
    func scopesIsolated() async throws {
        try await withTemporaryFolder { folder in
            try await SQLiteResponseCacheStore.withStore(path: folder + "/cache.sqlite") { store in
                try await store.put(Self.entry("a", scope: "tenant-a"))
                #expect(try await store.get(key: cacheTestKey("a"), scope: "tenant-b", now: Self.t0) == nil)
                #expect(try await store.get(key: cacheTestKey("a"), scope: "tenant-a", now: Self.t0) != nil)
                try await store.remove(key: cacheTestKey("a"), scope: "tenant-b")
                #expect(try await store.count() == 1)
            }
        }
    }

    @Test("two connections to one file (as two processes would) see each other's writes")
    func twoConnections() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/cache.sqlite"
            let first = try await SQLiteResponseCacheStore.open(path: path)
            let second = try await SQLiteResponseCacheStore.open(path: path)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    let store = index.isMultiple(of: 2) ? first : second
                    group.addTask { try await store.put(Self.entry("k\(index)")) }
                }
                try await group.waitForAll()
            }
            #expect(try await first.count() == 20)
            #expect(try await second.get(key: cacheTestKey("k0"), scope: "s", now: Self.t0) != nil)
            try await first.close()
            try await second.close()
        }
    }

    @Test("a closed store throws instead of touching the file; closing twice is harmless")
    func closed() async throws {
        try await withTemporaryFolder { folder in
            let store = try await SQLiteResponseCacheStore.open(path: folder + "/cache.sqlite")
            try await store.close()
            try await store.close()
            await #expect(throws: KimiSwarmError.self) { try await store.count() }
        }
    }
}
