import Foundation
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmPlatform
import KimiSwarmTesting
import Testing

/// A wall clock that follows a manual clock from a fixed date.
func wallClock(following clock: ManualClock) -> @Sendable () -> Date {
    { Date(timeIntervalSince1970: 1_800_000_000).addingTimeInterval(Double(clock.now().components.seconds)) }
}

@Suite("Cache: two tiers and settings")
struct CacheTieredTests {
    @Test("a miss in memory that the file holds is a persistent hit, promoted to memory")
    func promotion() async throws {
        try await withTemporaryFolder { folder in
            try await withStoreCache(path: folder + "/cache.sqlite") { store in
                let clock = ManualClock()
                let writer = ResponseCache(store: store, clock: clock, wallClock: wallClock(following: clock))
                await writer.store(cacheTestResponse("a"), key: cacheTestKey("a"), scope: "s", provider: .moonshot, model: "m")
                let stored = try await store.count()
                #expect(stored == 1)

                // A new process: empty memory, same file.
                let reader = ResponseCache(store: store, clock: clock, wallClock: wallClock(following: clock))
                let first = await reader.lookup(cacheTestKey("a"), scope: "s")
                #expect(first == ResponseCache.Hit(response: cacheTestResponse("a"), tier: .persistent))
                let second = await reader.lookup(cacheTestKey("a"), scope: "s")
                #expect(second?.tier == .memory)
                #expect(await reader.lookup(cacheTestKey("a"), scope: "other") == nil)
                let statistics = reader.statistics
                #expect(statistics.persistentHits == 1)
                #expect(statistics.memoryHits == 1)
                #expect(statistics.misses == 1)
                #expect(abs(statistics.hitRate - 2.0 / 3.0) < 1e-12)
            }
        }
    }

    @Test("both tiers expire after the TTL; removeExpired cleans the file")
    func expiry() async throws {
        try await withTemporaryFolder { folder in
            try await withStoreCache(path: folder + "/cache.sqlite") { store in
                let clock = ManualClock()
                let cache = ResponseCache(defaultTTL: .seconds(60), store: store, clock: clock, wallClock: wallClock(following: clock))
                await cache.store(cacheTestResponse("a"), key: cacheTestKey("a"), scope: "s", provider: .moonshot, model: "m")
                clock.advance(by: .seconds(59))
                #expect(await cache.lookup(cacheTestKey("a"), scope: "s")?.tier == .memory)
                clock.advance(by: .seconds(1))
                #expect(await cache.lookup(cacheTestKey("a"), scope: "s") == nil)
                #expect(await cache.removeExpired() == 1)
                let left = try await store.count()
                #expect(left == 0)
            }
        }
    }

    @Test("a promoted entry keeps only its remaining time to live")
    func promotedTTL() async throws {
        try await withTemporaryFolder { folder in
            try await withStoreCache(path: folder + "/cache.sqlite") { store in
                let clock = ManualClock()
                let writer = ResponseCache(defaultTTL: .seconds(100), store: store, clock: clock, wallClock: wallClock(following: clock))
                await writer.store(cacheTestResponse("a"), key: cacheTestKey("a"), scope: "s", provider: .moonshot, model: "m")
                clock.advance(by: .seconds(70))
                let reader = ResponseCache(defaultTTL: .seconds(100), store: store, clock: clock, wallClock: wallClock(following: clock))
                #expect(await reader.lookup(cacheTestKey("a"), scope: "s")?.tier == .persistent)
                clock.advance(by: .seconds(30))
                #expect(reader.memory.get(cacheTestKey("a"), scope: "s") == nil)
            }
        }
    }

    @Test("the layer answers from the file after a restart without calling the provider")
    func layerRestart() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/cache.sqlite"
            try await LoopbackProviderServer.withServer { server in
                let original = try await withStoreCache(path: path) { store in
                    try await server.cachedProvider(cache: ResponseCache(store: store, clock: ManualClock())).chat(cacheRequest())
                }
                let (again, outcomes) = try await withStoreCache(path: path) { store in
                    let layer = server.cachedProvider(cache: ResponseCache(store: store, clock: ManualClock()))
                    return try await CacheLayer.withOutcome { try await layer.chat(cacheRequest()) }
                }
                #expect(again == original)
                #expect(outcomes == [.hit(.persistent)])
                #expect(server.requestCount == 1)
            }
        }
    }

    @Test("cache settings are read from KIMI_CACHE__* and the config file")
    func settings() throws {
        let fromEnvironment = try ConfigurationLoader.load(
            environment: [
                "KIMI_CACHE__ENABLED": "true", "KIMI_CACHE__MAX_SIZE": "50", "KIMI_CACHE__DEFAULT_TTL": "90",
                "KIMI_CACHE__MAX_BYTES": "1048576", "KIMI_CACHE__PERSISTENT": "off",
            ],
            configFile: nil
        ).configuration.cache
        #expect(fromEnvironment == CacheSettings(
            enabled: true, maxSize: 50, defaultTTL: .seconds(90), maxBytes: 1_048_576, persistent: false))

        let yaml = """
            cache:
              max_bytes: 2048
              persistent: false
            """
        let fromFile = try ConfigurationLoader.load(
            environment: [:], configFile: ConfigFile(path: "kimiswarm.yaml", contents: yaml)
        ).configuration.cache
        #expect(fromFile.maxBytes == 2048)
        #expect(!fromFile.persistent)

        let defaults = CacheSettings()
        #expect(defaults.maxBytes == 64 * 1024 * 1024)
        #expect(defaults.persistent)
        #expect(ResponseCache(settings: CacheSettings(maxSize: 7, maxBytes: 99)).memory.maxEntries == 7)
    }

    @Test("cache.path of older versions is refused with what replaced it (the data directory's database)")
    func removedPath() {
        let yaml = "cache:\n  path: data/cache.sqlite\n"
        do {
            _ = try ConfigurationLoader.load(environment: [:], configFile: ConfigFile(path: "kimiswarm.yaml", contents: yaml))
            Issue.record("cache.path was accepted")
        } catch {
            #expect(error.message.contains("cache.path is no longer a setting"), "\(error.message)")
            #expect(error.message.contains("kimiswarm.sqlite"), "\(error.message)")
        }
    }

    @Test("a bad cache setting is reported with its variable")
    func badSetting() {
        #expect(throws: KimiSwarmError.self) {
            try ConfigurationLoader.load(environment: ["KIMI_CACHE__MAX_BYTES": "lots"], configFile: nil)
        }
    }
}
