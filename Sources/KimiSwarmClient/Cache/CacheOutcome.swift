import Synchronization

/// The tier of the response cache that answered.
public enum CacheTier: String, Sendable, Hashable, CaseIterable {
    /// The in-memory LRU (``MemoryResponseCache``).
    case memory = "l1"
    /// The persistent store (``ResponseCacheStore``).
    case persistent = "l2"
}

/// What the response cache did for one call.
public enum CacheOutcome: Sendable, Hashable {
    /// Answered from the cache, by this tier; the provider was not called.
    case hit(CacheTier)
    /// Looked up and not found; the provider answered (and the answer was stored if cacheable).
    case miss
    /// Not looked up (``CachePolicy/refresh``); the provider's answer was stored if cacheable.
    case refresh
    /// The cache took no part (``CachePolicy/bypass``, or no model to key the request by).
    case bypass

    /// `true` for a hit of either tier.
    public var isHit: Bool {
        if case .hit = self { return true }
        return false
    }
}

/// Receives the ``CacheOutcome`` of calls made while it is installed with
/// ``CacheLayer/withOutcome(isolation:_:)`` (a task-local value), so that a layer above the
/// cache (logs, metrics, cost accounting) can tell a cached answer from a fresh one without
/// changing ``ChatResponse``.
public final class CacheOutcomeRecorder: Sendable {
    private let outcomes = Mutex<[CacheOutcome]>([])

    /// Creates an empty recorder.
    public init() {}

    /// Every outcome recorded, in call order.
    public var all: [CacheOutcome] { outcomes.withLock { $0 } }

    /// The outcome of the most recent call.
    public var last: CacheOutcome? { outcomes.withLock { $0.last } }

    func record(_ outcome: CacheOutcome) {
        outcomes.withLock { $0.append(outcome) }
    }
}
