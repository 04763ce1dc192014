public import Foundation

/// The L2 response cache in the database, scoped by tenant.
public struct ResponseCacheRepository: Sendable {
    let context: RepositoryContext

    public init(context: RepositoryContext) { self.context = context }

    /// A cached body that has not expired.
    public func cachedResponse(tenantID: String, key: String) async throws -> [UInt8]? {
        try await context.database.first(
            """
            SELECT body FROM response_cache WHERE tenant_id = \(tenantID) AND cache_key = \(key)
            AND (expires_at IS NULL OR expires_at > \(context.now))
            """
        ).map { try $0.bytes("body") }
    }

    /// Stores a body.
    public func storeResponse(tenantID: String, key: String, body: [UInt8], provider: String? = nil, model: String? = nil, expiresAt: Date? = nil) async throws {
        try await context.database.query(
            """
            INSERT INTO response_cache(tenant_id, cache_key, provider, model, body, created_at, expires_at)
            VALUES (\(tenantID), \(key), \(provider), \(model), \(body), \(context.now), \(expiresAt))
            ON CONFLICT (tenant_id, cache_key) DO UPDATE SET provider = excluded.provider, model = excluded.model,
                body = excluded.body, created_at = excluded.created_at, expires_at = excluded.expires_at
            """)
    }

    /// Removes one entry.
    public func removeResponse(tenantID: String, key: String) async throws {
        try await context.database.query("DELETE FROM response_cache WHERE tenant_id = \(tenantID) AND cache_key = \(key)")
    }

    /// Removes expired entries of every tenant (system maintenance); returns how many.
    @discardableResult
    public func purgeExpiredResponses() async throws -> Int {
        try await context.database.query(
            "DELETE FROM response_cache WHERE expires_at IS NOT NULL AND expires_at <= \(context.now) RETURNING cache_key"
        ).count
    }
}
