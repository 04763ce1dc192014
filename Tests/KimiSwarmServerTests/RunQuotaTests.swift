import Foundation
import KimiSwarmCore
import KimiSwarmServer
import KimiSwarmStore
import NIOHTTP1
import Testing

@Suite("Run quotas")
struct RunQuotaTests {
    @Test("the plan's concurrent runs, sub-agents per run and monthly budget are checked before a run is queued", arguments: TestDatabase.available)
    func planLimits(database: TestDatabase) async throws {
        try await withTestServer(database, workers: 0) { server in
            let (tenantID, key) = try await server.tenant(plan: "free")
            let first = try await server.request(.POST, "/api/v1/runs", key: key, body: #"{"task":"one","swarm":"security"}"#)
            #expect(first.status == 202, "\(first.body)")
            #expect(first.json?["budgets"]?["max_sub_agents"]?.intValue == 10)  // capped at the plan's 10
            #expect(first.json?["budgets"]?["max_cost_usd"]?.stringValue == "5")  // capped at the month's budget

            let second = try await server.request(.POST, "/api/v1/runs", key: key, body: #"{"task":"two","swarm":"security"}"#)
            #expect(second.status == 429)
            #expect(second.errorType == "quota_exceeded")
            #expect(second.body.contains("concurrent runs"))
            #expect(Int(second.header("retry-after") ?? "") ?? 0 >= 1)

            let tooMany = try await server.request(
                .POST, "/api/v1/runs", key: key, body: #"{"task":"big","swarm":"security","budgets":{"max_sub_agents":50}}"#)
            #expect(tooMany.status == 422)
            #expect(tooMany.body.contains("sub-agents per run (10)"))

            // A budget smaller than the run's estimate: refused before it starts, until next month.
            try await server.store.quotas.setQuota(
                tenantID: tenantID, limits: QuotaLimits(monthlyCostLimitUSD: Decimal(string: "0.001"), maxConcurrentRuns: 10))
            let expensive = try await server.request(.POST, "/api/v1/runs", key: key, body: #"{"task":"three","swarm":"security"}"#)
            #expect(expensive.status == 429)
            #expect(expensive.errorType == "quota_exceeded")
            #expect(expensive.body.contains("monthly budget"))
            #expect(Int(expensive.header("retry-after") ?? "") ?? 0 > 60)
            // With room for the estimate: a run's own cap above what is left is refused, one within it is kept.
            try await server.store.quotas.setQuota(
                tenantID: tenantID, limits: QuotaLimits(monthlyCostLimitUSD: Decimal(1), maxConcurrentRuns: 10))
            let above = try await server.request(
                .POST, "/api/v1/runs", key: key, body: #"{"task":"four","swarm":"security","budgets":{"max_cost_usd":"2"}}"#)
            #expect(above.status == 429)
            #expect(above.body.contains("max_cost_usd"))
            let capped = try await server.request(
                .POST, "/api/v1/runs", key: key, body: #"{"task":"five","swarm":"security","budgets":{"max_cost_usd":"0.5"}}"#)
            #expect(capped.status == 202, "\(capped.body)")
            #expect(capped.json?["budgets"]?["max_cost_usd"]?.stringValue == "0.5")
        }
    }

    @Test("a body over the server's limit is 413 and nothing is created")
    func bodyLimit() async throws {
        try await withTestServer(.sqlite, workers: 0, configure: { $0.settings.maxBodyBytes = 2048 }) { server in
            let (tenantID, key) = try await server.tenant()
            let task = String(repeating: "x", count: 5000)
            let response = try await server.request(.POST, "/api/v1/runs", key: key, body: #"{"task":"\#(task)"}"#)
            #expect(response.status == 413)
            #expect(response.errorType == "payload_too_large")
            #expect(try await server.store.runs.activeRunCount(tenantID: tenantID) == 0)
        }
    }
}
