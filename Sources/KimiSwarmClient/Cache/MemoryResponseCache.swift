public import KimiSwarmCore
import Synchronization

/// The in-memory tier (L1): an LRU of responses with a time to live, bounded by an entry count
/// and by the bytes of the encoded responses.
///
/// `get` and `put` are O(1): a dictionary finds a slot of a doubly linked list kept in an
/// array, most recently used first. An expired entry is a miss and is removed when met; when a
/// bound is exceeded the least recently used entries are evicted (and counted). An entry is
/// readable only in the scope it was stored in, even if two scopes produced the same key.
/// Thread-safe; time comes from the injected ``SwarmClock``.
public final class MemoryResponseCache: Sendable {
    /// What `put` did.
    public struct PutResult: Sendable, Hashable {
        /// Whether the response was kept (it is not when it alone exceeds the byte bound, or
        /// the entry bound is zero).
        public var stored: Bool
        /// Entries evicted to make room.
        public var evicted: Int

        /// Creates a result.
        public init(stored: Bool, evicted: Int) {
            self.stored = stored
            self.evicted = evicted
        }
    }

    private struct Node {
        var key: CacheKey
        var scope: String
        var response: ChatResponse
        var bytes: Int
        var expiresAt: Duration
        var previous: Int?
        var next: Int?
    }

    private struct State {
        var nodes: [Node?] = []
        var free: [Int] = []
        var index: [CacheKey: Int] = [:]
        var head: Int?
        var tail: Int?
        var bytes = 0
        var evictions = 0
        var expirations = 0
    }

    /// Most entries kept.
    public let maxEntries: Int
    /// Most bytes kept (sum of the entries' sizes).
    public let maxBytes: Int
    private let clock: any SwarmClock
    private let state = Mutex(State())

    /// Creates an empty cache.
    public init(maxEntries: Int, maxBytes: Int, clock: any SwarmClock) {
        self.maxEntries = max(0, maxEntries)
        self.maxBytes = max(0, maxBytes)
        self.clock = clock
    }

    /// The response stored under `key` in `scope`, unless absent, expired or of another scope;
    /// a hit becomes the most recently used entry.
    public func get(_ key: CacheKey, scope: String) -> ChatResponse? {
        let now = clock.now()
        return state.withLock { state in
            guard let slot = state.index[key], let node = state.nodes[slot] else { return nil }
            guard node.scope == scope else { return nil }
            guard node.expiresAt > now else {
                Self.unlink(slot, in: &state)
                state.expirations += 1
                return nil
            }
            Self.moveToFront(slot, in: &state)
            return node.response
        }
    }

    /// Stores `response` (of encoded size `bytes`) under `key` in `scope` for `ttl`, replacing
    /// any entry of that key, then evicts least recently used entries beyond the bounds.
    @discardableResult
    public func put(_ response: ChatResponse, key: CacheKey, scope: String, bytes: Int, ttl: Duration) -> PutResult {
        let expiresAt = clock.now() + ttl
        return state.withLock { state in
            if let slot = state.index[key] { Self.unlink(slot, in: &state) }
            guard maxEntries > 0, bytes <= maxBytes, ttl > .zero else { return PutResult(stored: false, evicted: 0) }
            let node = Node(key: key, scope: scope, response: response, bytes: bytes, expiresAt: expiresAt)
            let slot: Int
            if let reused = state.free.popLast() {
                slot = reused
                state.nodes[slot] = node
            } else {
                slot = state.nodes.count
                state.nodes.append(node)
            }
            state.index[key] = slot
            state.bytes += bytes
            Self.linkAtFront(slot, in: &state)
            var evicted = 0
            while state.index.count > maxEntries || state.bytes > maxBytes, let last = state.tail, last != slot {
                Self.unlink(last, in: &state)
                evicted += 1
            }
            state.evictions += evicted
            return PutResult(stored: true, evicted: evicted)
        }
    }

    /// Removes the entry of `key` (in any scope); returns whether there was one.
    @discardableResult
    public func remove(_ key: CacheKey) -> Bool {
        state.withLock { state in
            guard let slot = state.index[key] else { return false }
            Self.unlink(slot, in: &state)
            return true
        }
    }

    /// Removes every expired entry; returns how many.
    @discardableResult
    public func removeExpired() -> Int {
        let now = clock.now()
        return state.withLock { state in
            var expired: [Int] = []
            for slot in state.index.values {
                if let node = state.nodes[slot], node.expiresAt <= now { expired.append(slot) }
            }
            for slot in expired { Self.unlink(slot, in: &state) }
            state.expirations += expired.count
            return expired.count
        }
    }

    /// Removes every entry (counters are kept).
    public func removeAll() {
        state.withLock { state in
            let evictions = state.evictions
            let expirations = state.expirations
            state = State()
            state.evictions = evictions
            state.expirations = expirations
        }
    }

    /// Entries held now (expired ones not yet met included).
    public var count: Int { state.withLock { $0.index.count } }
    /// Bytes held now.
    public var bytes: Int { state.withLock { $0.bytes } }
    /// Entries evicted for room since creation.
    public var evictions: Int { state.withLock { $0.evictions } }
    /// Entries removed because they expired since creation.
    public var expirations: Int { state.withLock { $0.expirations } }

    /// The keys from most to least recently used (for tests and diagnostics).
    public var keysByRecency: [CacheKey] {
        state.withLock { state in
            var keys: [CacheKey] = []
            var cursor = state.head
            while let slot = cursor, let node = state.nodes[slot] {
                keys.append(node.key)
                cursor = node.next
            }
            return keys
        }
    }

    // MARK: - The linked list

    private static func linkAtFront(_ slot: Int, in state: inout State) {
        state.nodes[slot]?.previous = nil
        state.nodes[slot]?.next = state.head
        if let head = state.head { state.nodes[head]?.previous = slot }
        state.head = slot
        if state.tail == nil { state.tail = slot }
    }

    private static func detach(_ slot: Int, in state: inout State) {
        guard let node = state.nodes[slot] else { return }
        if let previous = node.previous { state.nodes[previous]?.next = node.next } else { state.head = node.next }
        if let next = node.next { state.nodes[next]?.previous = node.previous } else { state.tail = node.previous }
        state.nodes[slot]?.previous = nil
        state.nodes[slot]?.next = nil
    }

    private static func moveToFront(_ slot: Int, in state: inout State) {
        guard state.head != slot else { return }
        detach(slot, in: &state)
        linkAtFront(slot, in: &state)
    }

    /// Removes the node at `slot` entirely and frees its slot.
    private static func unlink(_ slot: Int, in state: inout State) {
        guard let node = state.nodes[slot] else { return }
        detach(slot, in: &state)
        state.index[node.key] = nil
        state.bytes -= node.bytes
        state.nodes[slot] = nil
        state.free.append(slot)
    }
}
