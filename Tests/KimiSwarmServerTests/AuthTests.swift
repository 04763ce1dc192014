import Foundation
import KimiSwarmCore
import KimiSwarmServer
import NIOHTTP1
import KimiSwarmStore
import Testing

@Suite("Authentication and roles")
struct AuthTests {
    @Test("no key, a malformed header, an unknown key and a revoked key are 401 with WWW-Authenticate", arguments: TestDatabase.available)
    func unauthenticated(database: TestDatabase) async throws {
        try await withTestServer(database) { server in
            let none = try await server.request(.GET, "/api/v1/runs")
            #expect(none.status == 401)
            #expect(none.errorType == "authentication_error")
            #expect(none.header("www-authenticate")?.hasPrefix("Bearer") == true)

            let basic = try await server.request(.GET, "/api/v1/runs", headers: ["Authorization": "Basic Zm9vOmJhcg=="])
            #expect(basic.status == 401)

            let unknown = try await server.request(.GET, "/api/v1/runs", key: "ks_" + String(repeating: "x", count: 40))
            #expect(unknown.status == 401)
            #expect(!unknown.body.contains("xxxxxxxx"))

            let (tenantID, key) = try await server.tenant()
            #expect(try await server.request(.GET, "/api/v1/runs", key: key).status == 200)
            let keyID = try #require(try await server.store.apiKeys.keys(tenantID: tenantID).first?.id)
            try await server.store.apiKeys.revokeKey(tenantID: tenantID, keyID: keyID)
            server.parts.apiKeys.invalidateAll()
            let revoked = try await server.request(.GET, "/api/v1/runs", key: key)
            #expect(revoked.status == 401)
            #expect(revoked.json?["error"]?["message"]?.stringValue?.contains("revoked") == true)
        }
    }

    @Test("an expired key is refused", arguments: TestDatabase.available)
    func expired(database: TestDatabase) async throws {
        try await withTestServer(database) { server in
            let tenant = try await server.store.directory.createTenant(name: "exp")
            let created = try await server.store.apiKeys.createKey(
                tenantID: tenant.id, name: "old", role: .developer, expiresAt: Date().addingTimeInterval(-1))
            let response = try await server.request(.GET, "/api/v1/runs", key: created.plaintext)
            #expect(response.status == 401)
            #expect(response.json?["error"]?["message"]?.stringValue?.contains("expired") == true)
        }
    }

    @Test("a viewer reads runs but cannot create them; a billing admin cannot read runs")
    func roles() async throws {
        try await withTestServer(.sqlite) { server in
            let (tenantID, _) = try await server.tenant()
            let viewer = try await server.key(in: tenantID, role: .viewer)
            let billing = try await server.key(in: tenantID, role: .billingAdmin)
            #expect(try await server.request(.GET, "/api/v1/runs", key: viewer).status == 200)
            let create = try await server.request(.POST, "/api/v1/runs", key: viewer, body: #"{"task":"x"}"#)
            #expect(create.status == 403)
            #expect(create.errorType == "permission_denied")
            #expect(try await server.request(.GET, "/api/v1/runs", key: billing).status == 403)
        }
    }

    @Test("only a super admin may act in another tenant; a missing tenant is 404")
    func actAsTenant() async throws {
        try await withTestServer(.sqlite) { server in
            let (tenantID, key) = try await server.tenant()
            let (otherID, _) = try await server.tenant()
            let refused = try await server.request(.GET, "/api/v1/runs", key: key, headers: ["X-KimiSwarm-Tenant": otherID])
            #expect(refused.status == 403)
            let allowed = try await server.request(.GET, "/api/v1/runs", key: server.adminKey, headers: ["X-KimiSwarm-Tenant": tenantID])
            #expect(allowed.status == 200)
            let missing = try await server.request(.GET, "/api/v1/runs", key: server.adminKey, headers: ["X-KimiSwarm-Tenant": "nope"])
            #expect(missing.status == 404)
        }
    }
}
