import Foundation
import KimiSwarmCore
@testable import KimiSwarmPlatform
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

    @Test("a suspended tenant's keys stop working (403), and work again when reinstated", arguments: TestDatabase.available)
    func suspension(database: TestDatabase) async throws {
        try await withTestServer(database) { server in
            let (tenantID, key) = try await server.tenant()
            #expect(try await server.request(.GET, "/api/v1/runs", key: key).status == 200)
            try await server.store.directory.setSuspended(tenantID: tenantID, true)
            server.parts.tenants.invalidateAll()
            let refused = try await server.request(.GET, "/api/v1/runs", key: key)
            #expect(refused.status == 403)
            #expect(refused.body.contains("suspended"))
            try await server.store.directory.setSuspended(tenantID: tenantID, false)
            server.parts.tenants.invalidateAll()
            #expect(try await server.request(.GET, "/api/v1/runs", key: key).status == 200)
        }
    }

    @Test("sessions: a user's key is exchanged for an HS256 session token that works as a bearer token", arguments: TestDatabase.available)
    func sessions(database: TestDatabase) async throws {
        let secret = String(repeating: "s", count: 48)
        try await withTestServer(database, configure: { $0.sessionSecret = Secret(secret) }) { server in
            let created = try await server.request(.POST, "/api/v1/sessions", key: server.adminKey)
            #expect(created.status == 201)
            let token = try #require(created.json?["token"]?.stringValue)
            #expect(token.split(separator: ".").count == 3)
            #expect(try await server.request(.GET, "/api/v1/runs", key: token).status == 200)
            // A tampered token, and a key without a user, are refused.
            var tampered = Array(token)
            tampered[tampered.count - 3] = tampered[tampered.count - 3] == "A" ? "B" : "A"
            #expect(try await server.request(.GET, "/api/v1/runs", key: String(tampered)).status == 401)
            let (_, key) = try await server.tenant()
            #expect(try await server.request(.POST, "/api/v1/sessions", key: key).status == 422)
        }
        try await withTestServer(.sqlite) { server in
            let disabled = try await server.request(.POST, "/api/v1/sessions", key: server.adminKey)
            #expect(disabled.status == 404)
            #expect(disabled.body.contains("KIMISWARM_JWT_SECRET"))
        }
    }
}
