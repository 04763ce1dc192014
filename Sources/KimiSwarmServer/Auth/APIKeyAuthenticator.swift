public import KimiSwarmCore
import Foundation
public import KimiSwarmStore
public import KimiSwarmPlatform
import Synchronization

/// API keys (`ks_...`) as bearer tokens. Lookups are cached by the key's hash for a short
/// time, so the hot path (the gateway) does not wait on the database; revoking a key through
/// this server drops it from the cache at once, other replicas within ``ttl``.
public final class APIKeyAuthenticator: Authenticator {
    private struct Entry {
        var key: APIKey?
        var fetched: Duration
    }

    private let store: SwarmStore
    private let cache = Mutex<[String: Entry]>([:])
    /// How long a lookup (hit or miss) is reused.
    public let ttl: Duration
    /// What key expiry and cache ages are read from.
    public let clock: any SwarmClock

    public init(store: SwarmStore, ttl: Duration = .seconds(30), clock: any SwarmClock = SystemClock()) {
        self.store = store
        self.ttl = ttl
        self.clock = clock
    }

    public func authenticate(bearer token: String) async throws -> Principal? {
        guard token.hasPrefix("ks_") else { return nil }
        let key = try await cached(APIKeyRepository.hash(token)) { try await store.apiKeys.find(presentedKey: token) }
        guard let key else { throw APIError.unauthenticated("the API key is not valid", hint: "Check the key; create a new one if it was lost.") }
        if key.revokedAt != nil { throw APIError.unauthenticated("the API key was revoked", hint: "Create a new key.") }
        if let expiresAt = key.expiresAt, expiresAt <= clock.date() {
            throw APIError.unauthenticated("the API key expired", hint: "Create a new key.")
        }
        usage.withLock { $0[key.id] = (key.tenantID, clock.date()) }
        return Principal(tenantID: key.tenantID, role: key.role, userID: key.userID, apiKeyID: key.id, method: .apiKey)
    }

    /// The tenant's key `keyID` when it can be used now (not revoked, not expired), else
    /// `nil`; cached like bearer lookups (for sessions made from a key).
    public func usableKey(tenantID: String, keyID: String) async throws -> APIKey? {
        let key = try await cached("id\u{0}" + tenantID + "\u{0}" + keyID) { try await store.apiKeys.key(tenantID: tenantID, keyID: keyID) }
        guard let key, key.isUsable(at: clock.date()) else { return nil }
        return key
    }

    /// The cached lookup under `cacheKey` while fresh (hit or miss), else `fetch`'s, cached.
    private func cached(_ cacheKey: String, fetch: () async throws -> APIKey?) async throws -> APIKey? {
        if let entry = cache.withLock({ $0[cacheKey] }), clock.now() - entry.fetched < ttl { return entry.key }
        let key = try await fetch()
        cache.withLock { entries in
            if entries.count > 100_000 { entries.removeAll() }
            entries[cacheKey] = Entry(key: key, fetched: clock.now())
        }
        return key
    }

    /// Forgets every cached lookup (after a key was revoked or a tenant suspended).
    public func invalidateAll() {
        cache.withLock { $0.removeAll() }
    }

    private let usage = Mutex<[String: (tenantID: String, at: Date)]>([:])

    /// Writes the `last_used_at` of keys used since the last call (called by a background loop).
    public func flushLastUsed() async {
        let pending = usage.withLock { entries -> [String: (tenantID: String, at: Date)] in
            defer { entries.removeAll() }
            return entries
        }
        for (keyID, use) in pending {
            try? await store.apiKeys.recordUse(tenantID: use.tenantID, keyID: keyID, at: use.at)
        }
    }
}
