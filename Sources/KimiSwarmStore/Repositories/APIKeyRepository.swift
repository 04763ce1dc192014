public import Foundation
import Crypto

/// API keys: only a SHA-256 hash and a display prefix are stored.
public struct APIKeyRepository: Sendable {
    let context: RepositoryContext

    public init(context: RepositoryContext) { self.context = context }

    /// Creates a key; the plain key is returned once and never stored. A key with
    /// `expiresAt` stops authenticating at that time.
    public func createKey(
        tenantID: String, name: String, role: Role, userID: String? = nil, expiresAt: Date? = nil
    ) async throws -> CreatedAPIKey {
        let plaintext = "ks_" + Self.randomToken(length: 40)
        let expires = expiresAt.map { Date(millisecondsSince1970: $0.millisecondsSince1970) }
        let key = APIKey(
            tenantID: tenantID, id: UUID().uuidString.lowercased(), userID: userID, name: name, role: role,
            prefix: String(plaintext.prefix(10)), createdAt: context.now, lastUsedAt: nil, revokedAt: nil, expiresAt: expires)
        try await context.database.query(
            """
            INSERT INTO api_keys(tenant_id, id, user_id, name, role, prefix, key_hash, created_at, expires_at)
            VALUES (\(tenantID), \(key.id), \(userID), \(name), \(role.rawValue), \(key.prefix), \(Self.hash(plaintext)),
                \(key.createdAt), \(expires))
            """)
        return CreatedAPIKey(key: key, plaintext: plaintext)
    }

    /// The tenant's keys (revoked and expired ones included).
    public func keys(tenantID: String) async throws -> [APIKey] {
        try await context.database.query("SELECT * FROM api_keys WHERE tenant_id = \(tenantID) ORDER BY created_at, id").map(Self.key)
    }

    /// One key of the tenant (revoked and expired ones included), or `nil`.
    public func key(tenantID: String, keyID: String) async throws -> APIKey? {
        try await context.database.first("SELECT * FROM api_keys WHERE tenant_id = \(tenantID) AND id = \(keyID)").map(Self.key)
    }

    /// Revokes a key of the tenant.
    public func revokeKey(tenantID: String, keyID: String) async throws {
        let rows = try await context.database.query(
            "UPDATE api_keys SET revoked_at = \(context.now) WHERE tenant_id = \(tenantID) AND id = \(keyID) RETURNING id")
        if rows.isEmpty { throw StoreError.notFound("api key") }
    }

    /// The live (neither revoked nor expired) key matching a presented secret, or `nil`;
    /// records its use. The key itself names the tenant, so this is on the authentication
    /// list of the tenant-safety test.
    public func authenticate(presentedKey: String) async throws -> APIKey? {
        let now = context.now
        let rows = try await context.database.query(
            """
            UPDATE api_keys SET last_used_at = \(now)
            WHERE key_hash = \(Self.hash(presentedKey)) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > \(now))
            RETURNING *
            """)
        return try rows.first.map(Self.key)
    }

    /// The key matching a presented secret whatever its state (revoked and expired keys
    /// too, so the caller can say why it fails), or `nil`; writes nothing. Check
    /// ``APIKey/isUsable(at:)`` before trusting it, and call ``recordUse(tenantID:keyID:at:)``
    /// after. The key names its tenant, so this is on the authentication list of the
    /// tenant-safety test.
    public func find(presentedKey: String) async throws -> APIKey? {
        try await context.database.first("SELECT * FROM api_keys WHERE key_hash = \(Self.hash(presentedKey))").map(Self.key)
    }

    /// Sets a key's `last_used_at` to `date` (the store's clock when `nil`).
    public func recordUse(tenantID: String, keyID: String, at date: Date? = nil) async throws {
        try await context.database.query(
            "UPDATE api_keys SET last_used_at = \(date ?? context.now) WHERE tenant_id = \(tenantID) AND id = \(keyID)")
    }

    /// The stored form of a key: lowercase hex SHA-256 of its UTF-8 bytes.
    public static func hash(_ key: String) -> String {
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
            revokedAt: try row.optionalDate("revoked_at"), expiresAt: try row.optionalDate("expires_at"))
    }
}
