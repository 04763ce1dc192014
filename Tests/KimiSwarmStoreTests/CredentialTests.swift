import Foundation
import KimiSwarmCore
import KimiSwarmStore
import Testing

@Suite("Provider credentials encrypted at rest")
struct CredentialTests {
    static let keyA: [UInt8] = Array(repeating: 0xA1, count: 32)
    static let keyB: [UInt8] = Array(repeating: 0xB2, count: 32)

    @Test("unreadable without the master key, readable after rotation", arguments: TestDatabase.available)
    func rotation(_ kind: TestDatabase) async throws {
        let secret = "sk-live-0123456789abcdef"
        try await withFreshLocation(kind) { location in
            let ringA = try MasterKeyring(current: Self.keyA)
            try await withStore(at: location, masterKeys: ringA) { (store: SwarmStore) async throws in
                try await store.directory.createTenant(name: "Acme", id: "acme")
                try await store.directory.createTenant(name: "Other", id: "other")
                try await store.credentials.setCredential(tenantID: "acme", provider: "moonshot", secret: Secret(secret))
                #expect(try await store.credentials.credential(tenantID: "acme", provider: "moonshot")?.reveal() == secret)
                #expect(try await store.credentials.credential(tenantID: "other", provider: "moonshot") == nil)
                // The plain secret is nowhere in the row.
                let raw = try await store.database.query("SELECT * FROM provider_credentials")
                for value in raw.flatMap(\.values) {
                    switch value {
                    case .text(let text): #expect(!text.contains(secret))
                    case .blob(let bytes): #expect(!String(decoding: bytes, as: UTF8.self).contains(secret))
                    default: break
                    }
                }
                // A sealed value copied into another tenant's row does not open there.
                try await store.database.query(
                    """
                    INSERT INTO provider_credentials(tenant_id, provider, name, key_id, sealed, created_at, updated_at)
                    SELECT 'other', provider, name, key_id, sealed, created_at, updated_at FROM provider_credentials
                    WHERE tenant_id = 'acme'
                    """)
                await #expect(throws: StoreError.self) { try await store.credentials.credential(tenantID: "other", provider: "moonshot") }
                try await store.credentials.deleteCredential(tenantID: "other", provider: "moonshot")
            }
            // No key at all, or only a different key: unreadable.
            try await withStore(at: location) { (store: SwarmStore) async throws in
                await #expect(throws: StoreError.self) { try await store.credentials.credential(tenantID: "acme", provider: "moonshot") }
            }
            try await withStore(at: location, masterKeys: try MasterKeyring(current: Self.keyB)) { (store: SwarmStore) async throws in
                let error = await #expect(throws: StoreError.self) {
                    try await store.credentials.credential(tenantID: "acme", provider: "moonshot")
                }
                #expect(error?.isMasterKeyProblem == true)
            }
            // Rotation: B current, A previous; re-seal everything under B.
            try await withStore(at: location, masterKeys: try MasterKeyring(current: Self.keyB, previous: [Self.keyA])) { (store: SwarmStore) async throws in
                #expect(try await store.credentials.credential(tenantID: "acme", provider: "moonshot")?.reveal() == secret)
                #expect(try await store.credentials.rotateAllCredentials() == 1)
                #expect(try await store.credentials.rotateAllCredentials() == 0)
                #expect(try await store.credentials.credentials(tenantID: "acme").first?.keyID == (try MasterKeyring(current: Self.keyB)).currentKeyID)
            }
            // After rotation the old key is no longer needed.
            try await withStore(at: location, masterKeys: try MasterKeyring(current: Self.keyB)) { (store: SwarmStore) async throws in
                #expect(try await store.credentials.credential(tenantID: "acme", provider: "moonshot")?.reveal() == secret)
            }
            try await withStore(at: location, masterKeys: try MasterKeyring(current: Self.keyA)) { (store: SwarmStore) async throws in
                await #expect(throws: StoreError.self) { try await store.credentials.credential(tenantID: "acme", provider: "moonshot") }
            }
        }
    }

    @Test("keyrings parse base64 keys and refuse short ones")
    func keyringParsing() throws {
        let generated = MasterKeyring.generateBase64()
        let ring = try MasterKeyring(currentBase64: generated)
        #expect(ring.currentKeyID.count == 16)
        #expect(throws: StoreError.self) { try MasterKeyring(current: [1, 2, 3]) }
        #expect(throws: StoreError.self) { try MasterKeyring(currentBase64: "not base64!") }
    }
}

@Suite("Master keyring from the environment")
struct KeyringEnvironmentTests {
    @Test("reads the key, a key file and previous keys")
    func environment() throws {
        #expect(try MasterKeyring.fromEnvironment([:]) == nil)
        let a = MasterKeyring.generateBase64()
        let b = MasterKeyring.generateBase64()
        let fromVariable = try #require(try MasterKeyring.fromEnvironment(["KIMISWARM_MASTER_KEY": a, "KIMISWARM_PREVIOUS_MASTER_KEYS": b]))
        #expect(fromVariable.currentKeyID == (try MasterKeyring(currentBase64: a)).currentKeyID)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ks-key-\(UUID().uuidString)")
        try (b + "\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let fromFile = try #require(try MasterKeyring.fromEnvironment(["KIMISWARM_MASTER_KEY_FILE": file.path]))
        #expect(fromFile.currentKeyID == (try MasterKeyring(currentBase64: b)).currentKeyID)
    }
}
