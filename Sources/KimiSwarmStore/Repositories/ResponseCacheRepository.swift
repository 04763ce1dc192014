public import Foundation

/// The L2 response cache in the database, scoped by tenant.
public struct ResponseCacheRepository: Sendable {
    let context: RepositoryContext

    public init(context: RepositoryContext) { self.context = context }

    /// A cached entry with what it was stored with, if it has not expired at `now` (default:
    /// the store's clock).
    public func cachedEntry(tenantID: String, key: String, now: Date? = nil) async throws -> CachedResponseRow? {
        try await context.database.first(
            """
            SELECT provider, model, body, created_at, expires_at FROM response_cache WHERE tenant_id = \(tenantID) AND cache_key = \(key)
            AND (expires_at IS NULL OR expires_at > \(now ?? context.now))
            """
        ).map { row in
            CachedResponseRow(
                provider: try row.optionalString("provider"), model: try row.optionalString("model"), body: try row.bytes("body"),
                createdAt: try row.date("created_at"), expiresAt: try row.optionalDate("expires_at"))
        }
    }

    /// Stores an entry, replacing the key's earlier one; written at `createdAt` (default: now).
    public func storeResponse(
        tenantID: String, key: String, body: [UInt8], provider: String? = nil, model: String? = nil, createdAt: Date? = nil,
        expiresAt: Date? = nil
    ) async throws {
        try await context.database.query(
            """
            INSERT INTO response_cache(tenant_id, cache_key, provider, model, body, created_at, expires_at)
            VALUES (\(tenantID), \(key), \(provider), \(model), \(body), \(createdAt ?? context.now), \(expiresAt))
            ON CONFLICT (tenant_id, cache_key) DO UPDATE SET provider = excluded.provider, model = excluded.model,
                body = excluded.body, created_at = excluded.created_at, expires_at = excluded.expires_at
            """)
    }

    /// Removes one entry.
    public func removeResponse(tenantID: String, key: String) async throws {
        try await context.database.query("DELETE FROM response_cache WHERE tenant_id = \(tenantID) AND cache_key = \(key)")
    }

    /// Entries stored, expired ones not yet purged included (system metrics).
    public func countResponses() async throws -> Int {
        try await context.database.first("SELECT COUNT(*) AS n FROM response_cache").map { try $0.int("n") } ?? 0
    }

    /// Removes the entries of every tenant that expired at `now` (default: the store's clock;
    /// system maintenance); returns how many.
    @discardableResult
    public func purgeExpiredResponses(at now: Date? = nil) async throws -> Int {
        try await context.database.query(
            "DELETE FROM response_cache WHERE expires_at IS NOT NULL AND expires_at <= \(now ?? context.now) RETURNING cache_key"
        ).count
    }
}

/// A row of the response cache.
public struct CachedResponseRow: Sendable, Hashable {
    public var provider: String?
    public var model: String?
    public var body: [UInt8]
    public var createdAt: Date
    public var expiresAt: Date?
}
