import Foundation
import Crypto

/// API keys: only a SHA-256 hash and a display prefix are stored.
public struct APIKeyRepository: Sendable {
    let context: RepositoryContext

    public init(context: RepositoryContext) { self.context = context }

    /// Creates a key; the plain key is returned once and never stored.
    public func createKey(tenantID: String, name: String, role: Role, userID: String? = nil) async throws -> CreatedAPIKey {
        let plaintext = "ks_" + Self.randomToken(length: 40)
        let key = APIKey(
            tenantID: tenantID, id: UUID().uuidString.lowercased(), userID: userID, name: name, role: role,
            prefix: String(plaintext.prefix(10)), createdAt: context.now, lastUsedAt: nil, revokedAt: nil)
        try await context.database.query(
            """
            INSERT INTO api_keys(tenant_id, id, user_id, name, role, prefix, key_hash, created_at)
            VALUES (\(tenantID), \(key.id), \(userID), \(name), \(role.rawValue), \(key.prefix), \(Self.hash(plaintext)), \(key.createdAt))
            """)
        return CreatedAPIKey(key: key, plaintext: plaintext)
    }

    /// The tenant's keys (revoked ones included).
    public func keys(tenantID: String) async throws -> [APIKey] {
        try await context.database.query("SELECT * FROM api_keys WHERE tenant_id = \(tenantID) ORDER BY created_at, id").map(Self.key)
    }

    /// Revokes a key of the tenant.
    public func revokeKey(tenantID: String, keyID: String) async throws {
        let rows = try await context.database.query(
            "UPDATE api_keys SET revoked_at = \(context.now) WHERE tenant_id = \(tenantID) AND id = \(keyID) RETURNING id")
        if rows.isEmpty { throw StoreError.notFound("api key") }
    }

    /// The live key matching a presented secret, or `nil`; records its use. The key itself
    /// names the tenant, so this is on the authentication list of the tenant-safety test.
    public func authenticate(presentedKey: String) async throws -> APIKey? {
        let rows = try await context.database.query(
            """
            UPDATE api_keys SET last_used_at = \(context.now)
            WHERE key_hash = \(Self.hash(presentedKey)) AND revoked_at IS NULL RETURNING *
            """)
        return try rows.first.map(Self.key)
    }

    static func hash(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func randomToken(length: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }

    static func key(_ row: SQLRow) throws -> APIKey {
        APIKey(
            tenantID: try row.string("tenant_id"), id: try row.string("id"), userID: try row.optionalString("user_id"),
            name: try row.string("name"), role: try row.role("role"), prefix: try row.string("prefix"),
            createdAt: try row.date("created_at"), lastUsedAt: try row.optionalDate("last_used_at"),
            revokedAt: try row.optionalDate("revoked_at"))
    }
}
