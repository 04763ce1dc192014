public import CoreMetrics
public import Foundation
public import KimiSwarmCore
public import Logging
import Synchronization

/// The response cache: an in-memory LRU (L1) in front of an optional persistent store (L2),
/// with statistics and metrics.
///
/// A lookup tries L1, then L2; an L2 hit is promoted to L1 for the rest of its time to live.
/// A store writes both tiers. The persistent tier never fails a call: a read error is a miss,
/// a write error is skipped; both are logged at debug level and counted in
/// ``CacheStatistics/persistentErrors``.
///
/// Metrics (swift-metrics): `kimiswarm_cache_hits_total{tier="l1"|"l2"}`,
/// `kimiswarm_cache_misses_total`, `kimiswarm_cache_evictions_total`, and the gauges
/// `kimiswarm_cache_bytes` and `kimiswarm_cache_entries` (of the in-memory tier).
public final class ResponseCache: Sendable {
    /// A response found by a lookup and the tier that held it.
    public struct Hit: Sendable, Hashable {
        /// The cached response.
        public var response: ChatResponse
        /// The tier that answered.
        public var tier: CacheTier

        /// Creates a hit.
        public init(response: ChatResponse, tier: CacheTier) {
            self.response = response
            self.tier = tier
        }
    }

    private struct Counters {
        var memoryHits = 0
        var persistentHits = 0
        var misses = 0
        var stores = 0
        var persistentErrors = 0
    }

    /// The in-memory tier.
    public let memory: MemoryResponseCache
    /// The persistent tier, if any.
    public let store: (any ResponseCacheStore)?
    /// How long entries live unless a store call says otherwise.
    public let defaultTTL: Duration
    private let wallClock: @Sendable () -> Date
    private let logger: Logger
    private let counters = Mutex(Counters())
    private let memoryHitCounter: Counter
    private let persistentHitCounter: Counter
    private let missCounter: Counter
    private let evictionCounter: Counter
    private let bytesGauge: Gauge
    private let entriesGauge: Gauge

    /// Creates a cache.
    /// - Parameters:
    ///   - maxEntries: most entries in memory.
    ///   - maxBytes: most bytes of encoded responses in memory.
    ///   - defaultTTL: how long an entry lives.
    ///   - store: the persistent tier; `nil` keeps entries in memory only.
    ///   - clock: the monotonic clock of the in-memory tier's expiry.
    ///   - wallClock: the wall clock of the persistent tier's expiry.
    ///   - logger: where persistent-tier failures are logged (debug level).
    ///   - metricsFactory: where metrics go; `nil` uses the global `MetricsSystem`.
    public init(
        maxEntries: Int = 1000,
        maxBytes: Int = 64 * 1024 * 1024,
        defaultTTL: Duration = .seconds(3600),
        store: (any ResponseCacheStore)? = nil,
        clock: any SwarmClock = SystemClock(),
        wallClock: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "kimiswarm.cache", factory: { _ in SwiftLogNoOpLogHandler() }),
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        let factory = metricsFactory ?? MetricsSystem.factory
        memoryHitCounter = Counter(
            label: "kimiswarm_cache_hits_total", dimensions: [("tier", CacheTier.memory.rawValue)], factory: factory)
        persistentHitCounter = Counter(
            label: "kimiswarm_cache_hits_total", dimensions: [("tier", CacheTier.persistent.rawValue)], factory: factory)
        missCounter = Counter(label: "kimiswarm_cache_misses_total", factory: factory)
        evictionCounter = Counter(label: "kimiswarm_cache_evictions_total", factory: factory)
        bytesGauge = Gauge(label: "kimiswarm_cache_bytes", factory: factory)
        entriesGauge = Gauge(label: "kimiswarm_cache_entries", factory: factory)
        memory = MemoryResponseCache(maxEntries: maxEntries, maxBytes: maxBytes, clock: clock)
        self.store = store
        self.defaultTTL = defaultTTL
        self.wallClock = wallClock
        self.logger = logger
    }

    /// Creates a cache bounded as `settings` say (`enabled`, `persistent` and `path` are for the
    /// caller that assembles the stack: it opens the store and decides whether to add the layer).
    public convenience init(
        settings: CacheSettings,
        store: (any ResponseCacheStore)? = nil,
        clock: any SwarmClock = SystemClock(),
        wallClock: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "kimiswarm.cache", factory: { _ in SwiftLogNoOpLogHandler() }),
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.init(
            maxEntries: settings.maxSize, maxBytes: settings.maxBytes, defaultTTL: settings.defaultTTL, store: store,
            clock: clock, wallClock: wallClock, logger: logger, metricsFactory: metricsFactory)
    }

    /// The response stored under `key` in `scope`, from memory or else from the persistent
    /// tier; counts a hit or a miss.
    public func lookup(_ key: CacheKey, scope: String) async -> Hit? {
        if let response = memory.get(key, scope: scope) {
            counters.withLock { $0.memoryHits += 1 }
            memoryHitCounter.increment()
            updateGauges()
            return Hit(response: response, tier: .memory)
        }
        if let store, let response = await readPersistent(store, key: key, scope: scope) {
            counters.withLock { $0.persistentHits += 1 }
            persistentHitCounter.increment()
            updateGauges()
            return Hit(response: response, tier: .persistent)
        }
        counters.withLock { $0.misses += 1 }
        missCounter.increment()
        updateGauges()
        return nil
    }

    /// Stores `response` under `key` in `scope` in both tiers for `ttl` (default ``defaultTTL``).
    public func store(
        _ response: ChatResponse, key: CacheKey, scope: String, provider: ProviderID, model: String, ttl: Duration? = nil
    ) async {
        let ttl = ttl ?? defaultTTL
        guard ttl > .zero, let body = try? ResponseCodec.encode(response) else { return }
        let result = memory.put(response, key: key, scope: scope, bytes: body.count, ttl: ttl)
        if result.evicted > 0 { evictionCounter.increment(by: Int64(result.evicted)) }
        counters.withLock { $0.stores += 1 }
        updateGauges()
        guard let store else { return }
        let now = wallClock()
        let entry = StoredResponse(
            key: key, scope: scope, provider: provider, model: model, createdAt: now,
            expiresAt: now.addingTimeInterval(Self.seconds(ttl)), body: body)
        do {
            try await store.put(entry)
        } catch {
            persistentFailed("write", error)
        }
    }

    /// Removes every expired entry of both tiers; returns how many the persistent tier removed.
    @discardableResult
    public func removeExpired() async -> Int {
        memory.removeExpired()
        updateGauges()
        guard let store else { return 0 }
        do {
            return try await store.removeExpired(now: wallClock())
        } catch {
            persistentFailed("cleanup", error)
            return 0
        }
    }

    /// The counters now.
    public var statistics: CacheStatistics {
        let counters = counters.withLock { $0 }
        return CacheStatistics(
            memoryHits: counters.memoryHits, persistentHits: counters.persistentHits, misses: counters.misses,
            stores: counters.stores, evictions: memory.evictions, expirations: memory.expirations, entries: memory.count,
            bytes: memory.bytes, persistentErrors: counters.persistentErrors)
    }

    private func readPersistent(_ store: any ResponseCacheStore, key: CacheKey, scope: String) async -> ChatResponse? {
        let now = wallClock()
        let entry: StoredResponse?
        do {
            entry = try await store.get(key: key, scope: scope, now: now)
        } catch {
            persistentFailed("read", error)
            return nil
        }
        guard let entry, entry.scope == scope, entry.key == key, entry.expiresAt > now else { return nil }
        guard let response = try? ResponseCodec.decode(entry.body) else {
            persistentFailed("decode", nil)
            try? await store.remove(key: key, scope: scope)
            return nil
        }
        let remaining = Duration.seconds(entry.expiresAt.timeIntervalSince(now))
        let result = memory.put(response, key: key, scope: scope, bytes: entry.body.count, ttl: remaining)
        if result.evicted > 0 { evictionCounter.increment(by: Int64(result.evicted)) }
        return response
    }

    private func persistentFailed(_ operation: String, _ error: (any Error)?) {
        counters.withLock { $0.persistentErrors += 1 }
        logger.debug(
            "persistent response cache \(operation) failed; continuing without it",
            metadata: ["error_type": "\(error.map { "\(type(of: $0))" } ?? "undecodable entry")"])
    }

    private func updateGauges() {
        bytesGauge.record(memory.bytes)
        entriesGauge.record(memory.count)
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
