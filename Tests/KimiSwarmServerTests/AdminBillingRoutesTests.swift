import AsyncHTTPClient
import Foundation
import NIOHTTP1
import KimiSwarmCore
@testable import KimiSwarmPlatform
import KimiSwarmServer
import KimiSwarmStore
import Testing

/// Happy paths and refusals of templates, usage, plans and quota.
@Suite("AdminBillingRoutes")
struct AdminBillingRoutesTests {
    static let template = """
        id: contract-checker
        name: Contract Checker
        category: legal
        purpose: Checks contracts for risky clauses.
        model_tier: fast
        tools: []
        system_prompt: |
          You review contracts.
        examples:
          - "Check this NDA."
        """

    static func body(_ definition: String) -> String {
        let data = try? JSONEncoder().encode(["definition": definition])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    @Test("templates, usage, plans and quota", arguments: TestDatabase.available)
    func billingRoutes(_ database: TestDatabase) async throws {
        try await withTestServer(database, workers: 0) { server in
            try await templates(server)
            try await usage(server)
            try await plansAndQuota(server)
        }
    }

    func templates(_ server: TestServer) async throws {
        let (_, key) = try await server.tenant(role: .developer)
        let list = try await server.request(.GET, "/api/v1/templates", key: key)
        let shipped = try #require(list.json?["data"]?.arrayValue)
        #expect(shipped.count >= 40)
        let shippedID = try #require(shipped.first?["id"]?.stringValue)
        #expect(try await server.request(.GET, "/api/v1/templates/\(shippedID)", key: key).json?["origin"]?.stringValue == "shipped")

        let created = try await server.request(.POST, "/api/v1/templates", key: key, body: Self.body(Self.template))
        #expect(created.status == 201, "\(created.body)")
        #expect(created.json?["model_tier"]?.stringValue == "fast")
        #expect(try await server.request(.POST, "/api/v1/templates", key: key, body: Self.body(Self.template)).status == 409)
        let invalid = try await server.request(
            .POST, "/api/v1/templates", key: key, body: Self.body(Self.template.replacingOccurrences(of: "model_tier: fast", with: "model_tier: huge")))
        #expect(invalid.status == 422 && invalid.body.contains("model_tier"), "\(invalid.body)")
        let shippedClash = Self.template.replacingOccurrences(of: "id: contract-checker", with: "id: \(shippedID)")
        #expect(try await server.request(.POST, "/api/v1/templates", key: key, body: Self.body(shippedClash)).status == 409)
        #expect(try await server.request(.PUT, "/api/v1/templates/\(shippedID)", key: key, body: Self.body(shippedClash)).status == 409)
        #expect(try await server.request(.DELETE, "/api/v1/templates/\(shippedID)", key: key).status == 409)

        let renamed = Self.template.replacingOccurrences(of: "name: Contract Checker", with: "name: Contract Reviewer")
        let replaced = try await server.request(.PUT, "/api/v1/templates/contract-checker", key: key, body: Self.body(renamed))
        #expect(replaced.status == 200 && replaced.json?["name"]?.stringValue == "Contract Reviewer")
        let mismatch = try await server.request(.PUT, "/api/v1/templates/contract-checker", key: key, body: Self.body(shippedClash))
        #expect(mismatch.status == 409 || mismatch.status == 422)
        // Another tenant neither sees nor touches it.
        let other = try await server.tenant(role: .developer)
        #expect(try await server.request(.GET, "/api/v1/templates/contract-checker", key: other.key).status == 404)
        #expect(try await server.request(.DELETE, "/api/v1/templates/contract-checker", key: other.key).status == 404)
        #expect(try await server.request(.DELETE, "/api/v1/templates/contract-checker", key: key).status == 204)
        #expect(try await server.request(.GET, "/api/v1/templates/contract-checker", key: key).status == 404)
    }

    func usage(_ server: TestServer) async throws {
        let (tenantID, key) = try await server.tenant(role: .billingAdmin)
        let day = UsageRollup.day(of: Date())
        for (model, cost) in [("kimi-k2.6", "0.0001"), ("kimi-k2.6", "0.0002"), ("gpt-x", "1.1")] {
            try await server.store.usage.recordUsage(
                tenantID: tenantID,
                UsageRecord(
                    tenantID: tenantID, userID: "u1", provider: "moonshot", model: model,
                    usage: Usage(promptTokens: 10, completionTokens: 5), costUSD: try #require(Decimal(string: cost)), latencyMilliseconds: 3))
        }
        let byModel = try await server.request(.GET, "/api/v1/usage?from=\(day)&to=\(day)&group_by=model", key: key)
        #expect(byModel.status == 200, "\(byModel.body)")
        let rows = try #require(byModel.json?["data"]?.arrayValue)
        #expect(rows.first { $0["key"]?.stringValue == "kimi-k2.6" }?["cost_usd"]?.stringValue == "0.0003")
        #expect(byModel.json?["total"]?["cost_usd"]?.stringValue == "1.1003")
        #expect(byModel.json?["total"]?["total_tokens"]?.intValue == 45)
        let byUser = try await server.request(.GET, "/api/v1/usage?group_by=user", key: key)
        #expect(byUser.json?["data"]?.arrayValue?.first?["key"]?.stringValue == "u1")
        let csv = try await server.request(.GET, "/api/v1/usage.csv?from=\(day)&to=\(day)&group_by=model", key: key)
        #expect(csv.status == 200 && csv.header("content-type")?.hasPrefix("text/csv") == true)
        #expect(csv.body.hasPrefix("model,calls,"))
        #expect(csv.body.contains("kimi-k2.6,2,0,20,0,10,0,30,0.0003"))
        #expect(try await server.request(.GET, "/api/v1/usage?from=2026-13-01", key: key).status == 400)
        #expect(try await server.request(.GET, "/api/v1/usage?from=2026-02-01&to=2026-01-01", key: key).status == 400)
        #expect(try await server.request(.GET, "/api/v1/usage?group_by=color", key: key).status == 400)
        let developer = try await server.key(in: tenantID, role: .developer)
        #expect(try await server.request(.GET, "/api/v1/usage", key: developer).status == 403)
    }

    func plansAndQuota(_ server: TestServer) async throws {
        let admin = server.adminKey
        let put = try await server.request(
            .PUT, "/api/v1/plans/team", key: admin,
            body: #"{"name": "Team", "limits": {"monthly_token_limit": 1000000, "monthly_cost_limit_usd": "250.50", "max_concurrent_runs": 4}}"#)
        #expect(put.status == 201, "\(put.body)")
        #expect(put.json?["limits"]?["monthly_cost_limit_usd"]?.stringValue == "250.5")
        let badLimit = try await server.request(.PUT, "/api/v1/plans/team", key: admin, body: #"{"name": "Team", "limits": {"gpus": 1}}"#)
        #expect(badLimit.status == 422 && badLimit.body.contains("limits.gpus"))
        let tenant = try await server.request(.POST, "/api/v1/tenants", key: admin, body: #"{"name": "Team Co", "plan_id": "team"}"#)
        let tenantID = try #require(tenant.json?["id"]?.stringValue)
        #expect(try await server.request(.DELETE, "/api/v1/plans/team", key: admin).status == 409)

        let key = try await server.key(in: tenantID, role: .tenantAdmin)
        #expect(try await server.request(.GET, "/api/v1/plans", key: key).json?["data"]?.arrayValue?.contains { $0["id"]?.stringValue == "team" } == true)
        #expect(try await server.request(.PUT, "/api/v1/plans/team", key: key, body: #"{"name": "Mine"}"#).status == 403)
        let quota = try await server.request(.GET, "/api/v1/quota", key: key)
        #expect(quota.status == 200)
        #expect(quota.json?["plan"]?["id"]?.stringValue == "team")
        #expect(quota.json?["effective"]?["max_concurrent_runs"]?.intValue == 4)
        #expect(quota.json?["usage"]?["active_runs"]?.intValue == 0)
        #expect(quota.json?["usage"]?["cost_this_month_usd"]?.stringValue == "0")
        // A tenant admin may lower, not raise.
        let lowered = try await server.request(.PUT, "/api/v1/quota", key: key, body: #"{"max_concurrent_runs": 2, "daily_token_limit": 5000}"#)
        #expect(lowered.status == 200 && lowered.json?["effective"]?["max_concurrent_runs"]?.intValue == 2)
        #expect(lowered.json?["effective"]?["monthly_token_limit"]?.intValue == 1_000_000)
        let raised = try await server.request(.PUT, "/api/v1/quota", key: key, body: #"{"max_concurrent_runs": 8}"#)
        #expect(raised.status == 403 && raised.body.contains("max_concurrent_runs"))
        #expect(try await server.request(.PUT, "/api/v1/quota", key: key, body: #"{"plan_id": "unlimited"}"#).status == 422)
        // The super admin may raise, acting in the tenant: that raises the ceiling; the tenant's
        // own lower limit still holds until its admins lift it (up to the new ceiling, no more).
        let superRaise = try await server.request(
            .PUT, "/api/v1/quota", key: admin, body: #"{"max_concurrent_runs": 8}"#, headers: ["X-KimiSwarm-Tenant": tenantID])
        #expect(superRaise.status == 200 && superRaise.json?["ceiling"]?["max_concurrent_runs"]?.intValue == 8)
        #expect(superRaise.json?["effective"]?["max_concurrent_runs"]?.intValue == 2)
        #expect(superRaise.json?["tenant_limits"]?["max_concurrent_runs"]?.intValue == 2)
        let lifted = try await server.request(.PUT, "/api/v1/quota", key: key, body: #"{"max_concurrent_runs": 8}"#)
        #expect(lifted.status == 200 && lifted.json?["effective"]?["max_concurrent_runs"]?.intValue == 8)
        #expect(try await server.request(.PUT, "/api/v1/quota", key: key, body: #"{"max_concurrent_runs": 9}"#).status == 403)
        let viewer = try await server.key(in: tenantID, role: .viewer)
        #expect(try await server.request(.GET, "/api/v1/quota", key: viewer).status == 200)
        #expect(try await server.request(.PUT, "/api/v1/quota", key: viewer, body: "{}").status == 403)
        #expect(try await server.request(.PUT, "/api/v1/tenants/\(tenantID)/plan", key: admin, body: #"{"plan_id": null}"#).status == 200)
        #expect(try await server.request(.DELETE, "/api/v1/plans/team", key: admin).status == 204)
        #expect(try await server.request(.DELETE, "/api/v1/plans/team", key: admin).status == 404)
    }
}
