import Foundation
import KimiSwarmCore
@testable import KimiSwarmPlatform
import KimiSwarmServer
import KimiSwarmStore
import KimiSwarmTesting
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

    @Test("ten runs started at once share the tenant's monthly budget: spend stays within it plus one call per call in flight", arguments: TestDatabase.available)
    func parallelRunsHoldTheTenantBudget(database: TestDatabase) async throws {
        // Every model call costs 10,000 input and 2,000 output tokens of kimi-k2.6: $0.0175. A run
        // of the three-task graph makes four calls ($0.07); ten runs would spend $0.70.
        let script = SwarmScript(usage: Usage(promptTokens: 10_000, completionTokens: 2_000), latency: .milliseconds(50))
        try await withTestServer(database, workers: 10, script: script) { server in
            let (tenantID, key) = try await server.tenant(plan: "unlimited")
            let limit = Decimal(string: "0.15")!
            try await server.store.quotas.setQuota(tenantID: tenantID, limits: QuotaLimits(monthlyCostLimitUSD: limit))
            // Ten submissions at once. A run is admitted while its estimate fits what is left
            // after spend and what calls in flight hold; one that does not is refused at once (429).
            let answers = try await withThrowingTaskGroup(of: TestResponse.self) { group in
                for index in 0..<10 {
                    group.addTask {
                        try await server.request(
                            .POST, "/api/v1/runs", key: key, body: #"{"task":"parallel \#(index)","graph":\#(threeTaskGraph)}"#)
                    }
                }
                var answers: [TestResponse] = []
                for try await answer in group { answers.append(answer) }
                return answers
            }
            let ids = answers.compactMap { $0.status == 202 ? $0.json?["id"]?.stringValue : nil }
            for refused in answers where refused.status != 202 {
                #expect(refused.status == 429 && refused.errorType == "quota_exceeded", "\(refused.status) \(refused.body)")
            }
            #expect(!ids.isEmpty)
            var reasons: [String] = []
            for id in ids {
                let run = try await server.waitForRun(id, key: key, statuses: ["succeeded", "partial", "failed", "cancelled"])
                if run["status"]?.stringValue != "succeeded" {
                    reasons.append(try await server.request(.GET, "/api/v1/runs/\(id)/result", key: key).body)
                }
            }
            let day = UsageRollup.day(of: Date())
            let spent = try await server.store.usage.totals(tenantID: tenantID, fromDay: String(day.prefix(8)) + "01", toDay: day).costUSD
            let callCost = Decimal(string: "0.0175")!
            // The upstream's log agrees with the ledger: every call it answered was billed.
            #expect(spent == Decimal(server.provider.requestCount) * callCost)
            // At most one call per run over the budget (the calls in flight when it ran out).
            #expect(spent <= limit + Decimal(ids.count) * callCost, "spent \(spent) of \(limit)")
            #expect(spent < Decimal(string: "0.7")!)
            if ids.count > 3 {
                // More runs than the budget covers ran together: the ones it stopped say so.
                #expect(reasons.contains { $0.contains("monthly cost budget") }, "\(reasons.prefix(3))")
            }
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
