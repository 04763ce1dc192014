import Foundation
public import KimiSwarmCore

/// Provider credentials of a tenant, encrypted with AES-GCM under the master keyring. The
/// row's `(tenant, provider, name)` is authenticated with the ciphertext, so a sealed value
/// copied to another tenant's row does not open.
public struct CredentialRepository: Sendable {
    let context: RepositoryContext
    let keyring: MasterKeyring?

    public init(context: RepositoryContext, keyring: MasterKeyring?) {
        self.context = context
        self.keyring = keyring
    }

    /// Stores (or replaces) a credential.
    public func setCredential(tenantID: String, provider: String, name: String = "default", secret: Secret) async throws {
        guard let keyring else { throw StoreError.masterKeyMissing }
        let (keyID, sealed) = try keyring.seal(secret.reveal(), authenticating: Self.aad(tenantID, provider, name))
        let now = context.now
        try await context.database.query(
            """
            INSERT INTO provider_credentials(tenant_id, provider, name, key_id, sealed, created_at, updated_at)
            VALUES (\(tenantID), \(provider), \(name), \(keyID), \(sealed), \(now), \(now))
            ON CONFLICT (tenant_id, provider, name) DO UPDATE SET key_id = excluded.key_id, sealed = excluded.sealed,
                updated_at = excluded.updated_at
            """)
    }

    /// The decrypted credential, or `nil` when there is none.
    public func credential(tenantID: String, provider: String, name: String = "default") async throws -> Secret? {
        guard
            let row = try await context.database.first(
                """
                SELECT key_id, sealed FROM provider_credentials
                WHERE tenant_id = \(tenantID) AND provider = \(provider) AND name = \(name)
                """)
        else { return nil }
        guard let keyring else { throw StoreError.masterKeyMissing }
        return Secret(
            try keyring.open(try row.bytes("sealed"), keyID: try row.string("key_id"), authenticating: Self.aad(tenantID, provider, name)))
    }

    /// The tenant's credentials, without their secrets.
    public func credentials(tenantID: String) async throws -> [CredentialInfo] {
        try await context.database.query(
            "SELECT tenant_id, provider, name, key_id, updated_at FROM provider_credentials WHERE tenant_id = \(tenantID) ORDER BY provider, name"
        ).map { row in
            CredentialInfo(
                tenantID: try row.string("tenant_id"), provider: try row.string("provider"), name: try row.string("name"),
                keyID: try row.string("key_id"), updatedAt: try row.date("updated_at"))
        }
    }

    /// Deletes a credential.
    public func deleteCredential(tenantID: String, provider: String, name: String = "default") async throws {
        try await context.database.query(
            "DELETE FROM provider_credentials WHERE tenant_id = \(tenantID) AND provider = \(provider) AND name = \(name)")
    }

    /// Re-seals every credential not under the current master key (super-admin, after adding
    /// a new key and moving the old one to the previous keys). Returns how many it re-sealed.
    @discardableResult
    public func rotateAllCredentials() async throws -> Int {
        guard let keyring else { throw StoreError.masterKeyMissing }
        let currentID = keyring.currentKeyID
        return try await context.database.transaction { tx in
            let rows = try await tx.query(
                "SELECT tenant_id, provider, name, key_id, sealed FROM provider_credentials WHERE key_id <> \(currentID)")
            for row in rows {
                let tenantID = try row.string("tenant_id")
                let provider = try row.string("provider")
                let name = try row.string("name")
                let aad = Self.aad(tenantID, provider, name)
                let plain = try keyring.open(try row.bytes("sealed"), keyID: try row.string("key_id"), authenticating: aad)
                let (keyID, sealed) = try keyring.seal(plain, authenticating: aad)
                try await tx.query(
                    """
                    UPDATE provider_credentials SET key_id = \(keyID), sealed = \(sealed)
                    WHERE tenant_id = \(tenantID) AND provider = \(provider) AND name = \(name)
                    """)
            }
            return rows.count
        }
    }

    static func aad(_ tenantID: String, _ provider: String, _ name: String) -> String {
        "kimiswarm.credential\u{0}\(tenantID)\u{0}\(provider)\u{0}\(name)"
    }
}
