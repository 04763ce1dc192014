import Foundation

extension APIKeyRepository {
    /// Stores a key whose plain text the operator chose (`KIMISWARM_ADMIN_KEY`); like
    /// ``createKey(tenantID:name:role:userID:)`` only its hash and prefix are kept. A key that
    /// is already stored is returned as it is.
    @discardableResult
    public func importKey(tenantID: String, name: String, role: Role, userID: String? = nil, plaintext: String) async throws -> APIKey {
        let hash = Self.hash(plaintext)
        if let row = try await context.database.first("SELECT * FROM api_keys WHERE key_hash = \(hash)") {
            return try Self.key(row)
        }
        let id = UUID().uuidString.lowercased()
        let now = context.now
        try await context.database.query(
            """
            INSERT INTO api_keys(tenant_id, id, user_id, name, role, prefix, key_hash, created_at)
            VALUES (\(tenantID), \(id), \(userID), \(name), \(role.rawValue), \(String(plaintext.prefix(10))), \(hash), \(now))
            """)
        guard let row = try await context.database.first("SELECT * FROM api_keys WHERE key_hash = \(hash)") else {
            throw StoreError.notFound("api key")
        }
        return try Self.key(row)
    }
}
