public import Foundation
public import KimiSwarmClient
import KimiSwarmCore
public import KimiSwarmStore

/// The response cache's persistent tier (L2) in the server's own database (its
/// `response_cache` table), so that everything a server keeps lives in its database (or its
/// data directory): two servers started from one folder never share a cache file, and replicas
/// on PostgreSQL share one cache.
///
/// An entry of scope `tenant:<id>` is stored under that tenant (deleting the tenant deletes
/// its entries); any other scope under `scope:<name>`, a name no tenant id can have.
public struct DatabaseResponseCache: ResponseCacheStore {
    package let store: SwarmStore

    public init(store: SwarmStore) { self.store = store }

    /// The table's tenant column for a scope.
    package static func owner(of scope: String) -> String {
        scope.hasPrefix("tenant:") ? String(scope.dropFirst("tenant:".count)) : "scope:" + scope
    }

    public func get(key: CacheKey, scope: String, now: Date) async throws -> StoredResponse? {
        guard let row = try await store.responseCache.cachedEntry(tenantID: Self.owner(of: scope), key: key.hex, now: now) else { return nil }
        return StoredResponse(
            key: key, scope: scope, provider: ProviderID(row.provider ?? ""), model: row.model ?? "", createdAt: row.createdAt,
            expiresAt: row.expiresAt ?? .distantFuture, body: Data(row.body))
    }

    public func put(_ entry: StoredResponse) async throws {
        try await store.responseCache.storeResponse(
            tenantID: Self.owner(of: entry.scope), key: entry.key.hex, body: Array(entry.body), provider: entry.provider.rawValue,
            model: entry.model, createdAt: entry.createdAt, expiresAt: entry.expiresAt)
    }

    public func remove(key: CacheKey, scope: String) async throws {
        try await store.responseCache.removeResponse(tenantID: Self.owner(of: scope), key: key.hex)
    }

    @discardableResult
    public func removeExpired(now: Date) async throws -> Int {
        try await store.responseCache.purgeExpiredResponses(at: now)
    }

    public func count() async throws -> Int {
        try await store.responseCache.countResponses()
    }
}
