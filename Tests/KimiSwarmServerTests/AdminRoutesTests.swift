import AsyncHTTPClient
import Foundation
import NIOHTTP1
import KimiSwarmCore
@testable import KimiSwarmPlatform
import KimiSwarmServer
import KimiSwarmStore
import Testing

/// Happy paths and refusals of the admin routes: me, tenants, members, keys, credentials.
@Suite("AdminRoutes")
struct AdminRoutesTests {
    @Test("me, tenants, members, keys and credentials", arguments: TestDatabase.available)
    func accountRoutes(_ database: TestDatabase) async throws {
        try await withTestServer(database, workers: 0) { server in
            try await me(server)
            try await tenants(server)
            try await members(server)
            try await keys(server)
            try await credentials(server)
        }
    }

    func me(_ server: TestServer) async throws {
        let (tenantID, key) = try await server.tenant(role: .viewer)
        let me = try await server.request(.GET, "/api/v1/me", key: key)
        #expect(me.status == 200)
        #expect(me.json?["tenant_id"]?.stringValue == tenantID)
        #expect(me.json?["role"]?.stringValue == "viewer")
        #expect(me.json?["api_key_id"]?.stringValue != nil)
        #expect(me.json?["permissions"]?.arrayValue?.contains("runs:read") == true)
        #expect(me.json?["permissions"]?.arrayValue?.contains("runs:write") == false)
        #expect(try await server.request(.GET, "/api/v1/me").status == 401)
    }

    func tenants(_ server: TestServer) async throws {
        let admin = server.adminKey
        let created = try await server.request(.POST, "/api/v1/tenants", key: admin, body: #"{"name": "Acme", "id": "acme", "plan_id": "pro"}"#)
        #expect(created.status == 201, "\(created.body)")
        #expect(created.json?["plan_id"]?.stringValue == "pro")
        #expect(try await server.request(.POST, "/api/v1/tenants", key: admin, body: #"{"name": "Acme", "id": "acme"}"#).status == 409)
        let unknownPlan = try await server.request(.POST, "/api/v1/tenants", key: admin, body: #"{"name": "X", "plan_id": "gold"}"#)
        #expect(unknownPlan.status == 422)
        let unknownField = try await server.request(.POST, "/api/v1/tenants", key: admin, body: #"{"name": "X", "budget": 5}"#)
        #expect(unknownField.status == 422 && unknownField.body.contains("budget"))
        let list = try await server.request(.GET, "/api/v1/tenants", key: admin)
        #expect(list.json?["data"]?.arrayValue?.contains { $0["id"]?.stringValue == "acme" } == true)

        let key = try await server.key(in: "acme", role: .tenantAdmin)
        #expect(try await server.request(.GET, "/api/v1/me", key: key).status == 200)
        let suspended = try await server.request(.PATCH, "/api/v1/tenants/acme", key: admin, body: #"{"suspended": true, "name": "Acme Inc"}"#)
        #expect(suspended.status == 200 && suspended.json?["suspended"]?.boolValue == true && suspended.json?["name"]?.stringValue == "Acme Inc")
        let moved = try await server.request(.PUT, "/api/v1/tenants/acme/plan", key: admin, body: #"{"plan_id": "free"}"#)
        #expect(moved.json?["plan_id"]?.stringValue == "free")
        #expect(try await server.request(.PATCH, "/api/v1/tenants/acme", key: admin, body: #"{"suspended": false}"#).json?["suspended"]?.boolValue == false)
        // A tenant admin sees no tenant directory, not even their own entry.
        #expect(try await server.request(.GET, "/api/v1/tenants/acme", key: key).status == 403)
        #expect(try await server.request(.DELETE, "/api/v1/tenants/acme", key: admin).status == 204)
        #expect(try await server.request(.GET, "/api/v1/tenants/acme", key: admin).status == 404)
        #expect(try await server.request(.GET, "/api/v1/me", key: key).status == 401)
        let home = try await server.request(.GET, "/api/v1/me", key: admin).json?["home_tenant_id"]?.stringValue ?? ""
        #expect(try await server.request(.DELETE, "/api/v1/tenants/\(home)", key: admin).status == 409)
    }

    func members(_ server: TestServer) async throws {
        let (tenantID, key) = try await server.tenant(role: .tenantAdmin)
        let added = try await server.request(.POST, "/api/v1/members", key: key, body: #"{"email": "Dev@Example.com", "role": "developer"}"#)
        #expect(added.status == 201, "\(added.body)")
        #expect(added.json?["email"]?.stringValue == "dev@example.com")
        let userID = try #require(added.json?["user_id"]?.stringValue)
        let grantSuper = try await server.request(.PUT, "/api/v1/members/\(userID)", key: key, body: #"{"role": "super_admin"}"#)
        #expect(grantSuper.status == 403)
        let addSuper = try await server.request(.POST, "/api/v1/members", key: key, body: #"{"email": "boss@example.com", "role": "super_admin"}"#)
        #expect(addSuper.status == 403)
        #expect(try await server.request(.PUT, "/api/v1/members/\(userID)", key: key, body: #"{"role": "overlord"}"#).status == 422)
        let changed = try await server.request(.PUT, "/api/v1/members/\(userID)", key: key, body: #"{"role": "viewer"}"#)
        #expect(changed.status == 200 && changed.json?["role"]?.stringValue == "viewer")
        let list = try await server.request(.GET, "/api/v1/members", key: key)
        #expect(list.json?["data"]?.arrayValue?.count == 1)
        // The same user in another tenant is not this tenant's member.
        let other = try await server.tenant(role: .tenantAdmin)
        #expect(try await server.request(.DELETE, "/api/v1/members/\(userID)", key: other.key).status == 404)
        #expect(try await server.request(.DELETE, "/api/v1/members/\(userID)", key: key).status == 204)
        #expect(try await server.store.members.members(tenantID: tenantID).isEmpty)
    }

    func keys(_ server: TestServer) async throws {
        let (_, key) = try await server.tenant(role: .tenantAdmin)
        let created = try await server.request(
            .POST, "/api/v1/keys", key: key, body: #"{"name": "ci", "role": "developer", "expires_at": "2099-01-01T00:00:00Z"}"#)
        #expect(created.status == 201, "\(created.body)")
        let plain = try #require(created.json?["key"]?.stringValue)
        let id = try #require(created.json?["id"]?.stringValue)
        #expect(created.json?["expires_at"]?.stringValue?.hasPrefix("2099-01-01") == true)
        #expect(try await server.request(.GET, "/api/v1/me", key: plain).json?["role"]?.stringValue == "developer")
        let list = try await server.request(.GET, "/api/v1/keys", key: key)
        #expect(list.status == 200 && !list.body.contains(plain))
        #expect(list.json?["data"]?.arrayValue?.allSatisfy { $0["key"] == nil } == true)
        #expect(try await server.request(.POST, "/api/v1/keys", key: key, body: #"{"name": "x", "role": "super_admin"}"#).status == 403)
        #expect(try await server.request(.POST, "/api/v1/keys", key: key, body: #"{"name": "x", "role": "viewer", "tenant_id": "t"}"#).status == 422)
        #expect(try await server.request(.POST, "/api/v1/keys", key: key, body: #"{"name": "x", "role": "viewer", "expires_at": "2001-01-01"}"#).status == 422)
        #expect(try await server.request(.DELETE, "/api/v1/keys/\(id)", key: key).status == 204)
        // Revocation is immediate, cache or not.
        #expect(try await server.request(.GET, "/api/v1/me", key: plain).status == 401)
        let superKey = try await server.request(.POST, "/api/v1/keys", key: server.adminKey, body: #"{"name": "root2", "role": "super_admin"}"#)
        #expect(superKey.status == 201)
    }

    func credentials(_ server: TestServer) async throws {
        let (_, key) = try await server.tenant(role: .tenantAdmin)
        #expect(try await server.request(.GET, "/api/v1/credentials", key: key).json?["data"]?.arrayValue?.isEmpty == true)
        // The test server has no master key: writing says how to fix that.
        let put = try await server.request(.PUT, "/api/v1/credentials/moonshot", key: key, body: #"{"secret": "sk-abc"}"#)
        #expect(put.status == 503, "\(put.body)")
        #expect(put.json?["error"]?["hint"]?.stringValue?.contains("KIMISWARM_MASTER_KEY") == true)
        #expect(!put.body.contains("sk-abc"))
        #expect(try await server.request(.PUT, "/api/v1/credentials/moonshot", key: key, body: #"{"secret": "x", "owner": "y"}"#).status == 422)
        #expect(try await server.request(.DELETE, "/api/v1/credentials/moonshot", key: key).status == 404)
    }
}
