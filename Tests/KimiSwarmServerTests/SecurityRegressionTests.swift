import AsyncHTTPClient
import Foundation
import KimiSwarmCore
import KimiSwarmEngine
@testable import KimiSwarmPlatform
import KimiSwarmServer
import KimiSwarmStore
import KimiSwarmTesting
import NIOCore
import NIOHTTP1
import Testing

/// The findings of the attack on the server (issue 14) about who may do what, replayed: a
/// credential never acts above the role it was issued with, and tenants stay apart.
@Suite("Security regressions: credentials and tenants")
struct SecurityRegressionTests {
    static let sessionSecret = String(repeating: "s", count: 40)

    @Test("a key the super admin made acts with its own role, never as the admin's account; sessions made from it neither")
    func keysNeverActAsTheirCreator() async throws {
        try await withTestServer(.sqlite, workers: 0, configure: { $0.sessionSecret = Secret(Self.sessionSecret) }) { server in
            // Made through the API, the keys carry the super admin's user id.
            let created = try await server.request(.POST, "/api/v1/keys", key: server.adminKey, body: #"{"name":"viewer","role":"viewer"}"#)
            #expect(created.status == 201)
            let viewer = try #require(created.json?["key"]?.stringValue)
            let viewerID = try #require(created.json?["id"]?.stringValue)
            let other = try #require(
                try await server.request(.POST, "/api/v1/keys", key: server.adminKey, body: #"{"name":"viewer 2","role":"viewer"}"#).json?["key"]?
                    .stringValue)

            let me = try await server.request(.GET, "/api/v1/me", key: viewer)
            #expect(me.json?["role"]?.stringValue == "viewer")
            #expect(me.json?["user_id"]?.isNull == true && me.json?["email"]?.isNull == true)
            #expect(me.json?["personal"]?.boolValue == false)
            #expect(me.json?["key_created_by"]?.stringValue != nil)
            #expect(!me.body.contains(FirstStart.adminEmail))

            // The admin has no password: the key cannot set one.
            let password = try await server.request(
                .PUT, "/api/v1/me/password", key: viewer, body: #"{"new_password":"correct horse battery staple"}"#)
            #expect(password.status == 403 && password.errorType == "permission_denied")
            #expect(try await server.store.directory.credentials(email: FirstStart.adminEmail)?.passwordHash == nil)
            let browser = WebBrowser(server)
            let signIn = try await browser.signIn(email: FirstStart.adminEmail, password: "correct horse battery staple")
            #expect(signIn.status == 401)
            #expect(try await browser.get("/admin").status != 200)

            // A session made from the key is the key's: a viewer's, bound to the key.
            let session = try await server.request(.POST, "/api/v1/sessions", key: viewer)
            #expect(session.status == 201)
            #expect(session.json?["role"]?.stringValue == "viewer" && session.json?["personal"]?.boolValue == false)
            let token = try #require(session.json?["token"]?.stringValue)
            #expect(try await server.request(.GET, "/api/v1/runs", key: token).status == 200)
            #expect(try await server.request(.GET, "/api/v1/tenants", key: token).status == 403)
            #expect(try await server.request(.POST, "/api/v1/keys", key: token, body: #"{"name":"x","role":"tenant_admin"}"#).status == 403)
            #expect(
                try await server.request(.PUT, "/api/v1/me/password", key: token, body: #"{"new_password":"correct horse battery staple"}"#)
                    .status == 403)
            let again = try await server.request(.POST, "/api/v1/sessions", key: token)
            #expect(again.status == 201 && again.json?["role"]?.stringValue == "viewer")
            #expect(try await server.request(.GET, "/api/v1/me", key: token).json?["user_id"]?.isNull == true)

            // Revoking the key ends its sessions at once.
            #expect(try await server.request(.DELETE, "/api/v1/keys/\(viewerID)", key: server.adminKey).status == 204)
            #expect(try await server.request(.GET, "/api/v1/runs", key: token).status == 401)
            #expect(try await server.request(.GET, "/api/v1/runs", key: try #require(again.json?["token"]?.stringValue)).status == 401)

            // Signed in to the dashboard with a key, it is still the key's role, and no account.
            let keyBrowser = WebBrowser(server)
            #expect(try await keyBrowser.signIn(key: other).status == 303)
            #expect(try await keyBrowser.get("/admin").status == 403)
            let settings = try await keyBrowser.get("/settings")
            #expect(!settings.body.contains("password-form"))
            let change = try await keyBrowser.post(
                "/settings/password", ["new_password": "correct horse battery staple", "confirm_password": "correct horse battery staple"])
            #expect(change.status == 403)
            #expect(try await server.store.directory.credentials(email: FirstStart.adminEmail)?.passwordHash == nil)
        }
    }

    @Test("limits a super admin set are only tightened by the tenant's admins; zero limits are refused; super admins are never locked out")
    func layeredLimits() async throws {
        try await withTestServer(.sqlite, workers: 0) { server in
            let (tenantID, key) = try await server.tenant(role: .tenantAdmin, plan: "pro")
            let tenant = ["X-KimiSwarm-Tenant": tenantID]
            let set = try await server.request(
                .PUT, "/api/v1/quota", key: server.adminKey, body: #"{"monthly_cost_limit_usd":"0.01","max_concurrent_runs":1}"#, headers: tenant)
            #expect(set.status == 200)
            // The tenant admin's empty PUT clears only their own limits, not the super admin's.
            let cleared = try await server.request(.PUT, "/api/v1/quota", key: key, body: "{}")
            #expect(cleared.status == 200)
            #expect(cleared.json?["effective"]?["monthly_cost_limit_usd"]?.stringValue == "0.01")
            #expect(cleared.json?["effective"]?["max_concurrent_runs"]?.intValue == 1)
            let raised = try await server.request(.PUT, "/api/v1/quota", key: key, body: #"{"monthly_cost_limit_usd":"1000"}"#)
            #expect(raised.status == 403)
            #expect(try await server.store.quotas.effectiveQuota(tenantID: tenantID).monthlyCostLimitUSD == Decimal(string: "0.01"))
            let tighter = try await server.request(.PUT, "/api/v1/quota", key: key, body: #"{"monthly_cost_limit_usd":"0.005"}"#)
            #expect(tighter.status == 200 && tighter.json?["effective"]?["monthly_cost_limit_usd"]?.stringValue == "0.005")

            // Zero (or a negative) limit would lock the tenant out: refused, naming the field.
            for body in [#"{"requests_per_minute":0}"#, #"{"requests_per_minute":-1}"#, #"{"max_concurrent_runs":0}"#, #"{"requests_per_minute":1e9}"#] {
                let answer = try await server.request(.PUT, "/api/v1/quota", key: server.adminKey, body: body, headers: tenant)
                #expect(answer.status == 422, "\(body) → \(answer.status)")
            }
            let plan = try await server.request(.PUT, "/api/v1/plans/zero", key: server.adminKey, body: #"{"name":"Zero","limits":{"requests_per_minute":0}}"#)
            #expect(plan.status == 422 && plan.body.contains("limits.requests_per_minute"))

            // Even a limit of one request a minute (stored before limits were checked, say) never
            // holds the super admin, in that tenant or their own.
            try await server.store.quotas.setQuota(tenantID: tenantID, limits: QuotaLimits(requestsPerMinute: 1))
            try await server.store.quotas.setQuota(tenantID: FirstStart.defaultTenantID, limits: QuotaLimits(requestsPerMinute: 1))
            for _ in 0..<5 {
                #expect(try await server.request(.GET, "/api/v1/quota", key: server.adminKey, headers: tenant).status == 200)
                #expect(try await server.request(.GET, "/api/v1/tenants", key: server.adminKey).status == 200)
            }
            let undo = try await server.request(.PUT, "/api/v1/quota", key: server.adminKey, body: "{}", headers: tenant)
            #expect(undo.status == 200)
        }
    }

    @Test("adding another tenant's user invites them (no name, no id, no membership); they join only by accepting")
    func crossTenantMembersNeedConsent() async throws {
        try await withTestServer(.sqlite, workers: 0) { server in
            let store = server.store
            let (home, _) = try await server.tenant()
            let email = "person-\(UUID().uuidString.prefix(8).lowercased())@example.com"
            let person = try await store.directory.createUser(email: email, displayName: "Secret Name")
            try await store.members.setMember(tenantID: home, userID: person.id, role: .developer)
            try await store.directory.setPasswordHash(userID: person.id, hash: try PasswordHasher(costLog2: 10).hash("person password 1"))

            let (other, admin) = try await server.tenant(role: .tenantAdmin)
            let added = try await server.request(.POST, "/api/v1/members", key: admin, body: #"{"email":"\#(email)","role":"developer"}"#)
            #expect(added.status == 202)
            #expect(!added.body.contains("Secret Name") && !added.body.contains(person.id))
            #expect(added.json?["status"]?.stringValue == "invited")
            #expect(try await store.members.member(tenantID: other, userID: person.id) == nil)
            let members = try await server.request(.GET, "/api/v1/members", key: admin)
            #expect(!members.body.contains(person.id))
            let invitations = try await server.request(.GET, "/api/v1/invitations", key: admin)
            #expect(invitations.json?["data"]?.arrayValue?.count == 1)

            // The person accepts, signed in as themself; a key of theirs could not.
            let browser = WebBrowser(server)
            #expect(try await browser.signIn(email: email, password: "person password 1").status == 303)
            let settings = try await browser.get("/settings")
            let invitationID = try #require(added.json?["id"]?.stringValue)
            #expect(settings.body.contains("/settings/invitations/\(invitationID)/accept"))
            let personKey = try await store.apiKeys.createKey(tenantID: home, name: "person", role: .developer, userID: person.id).plaintext
            #expect(try await server.request(.POST, "/api/v1/me/invitations/\(invitationID)/accept", key: personKey).status == 403)
            #expect(try await store.members.member(tenantID: other, userID: person.id) == nil)
            #expect(try await browser.post("/settings/invitations/\(invitationID)/accept").status == 303)
            #expect(try await store.members.member(tenantID: other, userID: person.id)?.role == .developer)

            // A super admin adds at once.
            let stranger = try await store.directory.createUser(email: "s-\(UUID().uuidString.prefix(6).lowercased())@example.com", displayName: "S")
            let direct = try await server.request(
                .POST, "/api/v1/members", key: server.adminKey, body: #"{"email":"\#(stranger.email)","role":"viewer"}"#,
                headers: ["X-KimiSwarm-Tenant": other])
            #expect(direct.status == 200)
            #expect(try await store.members.member(tenantID: other, userID: stranger.id)?.role == .viewer)
        }
    }

    @Test("/metrics needs the metrics token or a super admin")
    func metricsNeedCredentials() async throws {
        let token = "metrics-token-\(UUID().uuidString)"
        try await withTestServer(.sqlite, workers: 0, configure: { $0.metricsToken = Secret(token) }) { server in
            let (_, key) = try await server.tenant(role: .tenantAdmin)
            _ = try await server.request(.GET, "/api/v1/runs", key: key)
            let anonymous = try await server.request(.GET, "/metrics")
            #expect(anonymous.status == 401 && !anonymous.body.contains("kimiswarm_tenant"))
            #expect(try await server.request(.GET, "/metrics", key: key).status == 403)
            #expect(try await server.request(.GET, "/metrics", key: token + "x").status == 401)
            let scraped = try await server.request(.GET, "/metrics", key: token)
            #expect(scraped.status == 200 && scraped.body.contains("kimiswarm_http_requests_total"))
        }
    }
}
