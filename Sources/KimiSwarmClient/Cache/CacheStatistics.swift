/// A snapshot of the response cache's counters.
///
/// Hits and misses count lookups only: calls with ``CachePolicy/refresh`` or
/// ``CachePolicy/bypass`` do not look up and count as neither.
public struct CacheStatistics: Sendable, Hashable {
    /// Lookups answered by the in-memory tier.
    public var memoryHits: Int
    /// Lookups answered by the persistent tier (after an in-memory miss).
    public var persistentHits: Int
    /// Lookups that found nothing.
    public var misses: Int
    /// Responses stored.
    public var stores: Int
    /// In-memory entries evicted for room.
    public var evictions: Int
    /// In-memory entries removed because they had expired.
    public var expirations: Int
    /// Entries in memory now.
    public var entries: Int
    /// Bytes of encoded responses in memory now.
    public var bytes: Int
    /// Reads or writes of the persistent tier that failed (each treated as a miss or skipped).
    public var persistentErrors: Int

    /// Creates a snapshot.
    public init(
        memoryHits: Int = 0, persistentHits: Int = 0, misses: Int = 0, stores: Int = 0, evictions: Int = 0,
        expirations: Int = 0, entries: Int = 0, bytes: Int = 0, persistentErrors: Int = 0
    ) {
        self.memoryHits = memoryHits
        self.persistentHits = persistentHits
        self.misses = misses
        self.stores = stores
        self.evictions = evictions
        self.expirations = expirations
        self.entries = entries
        self.bytes = bytes
        self.persistentErrors = persistentErrors
    }

    /// Hits of both tiers.
    public var hits: Int { memoryHits + persistentHits }

    /// Lookups made.
    public var lookups: Int { hits + misses }

    /// Hits divided by lookups, in 0...1; 0 before the first lookup.
    public var hitRate: Double { lookups == 0 ? 0 : Double(hits) / Double(lookups) }
}
