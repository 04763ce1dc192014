import Foundation
import KimiSwarmCore
import KimiSwarmStore
import KimiSwarmTesting
import NIOHTTP1
import Testing

/// Calls answered from the response cache: scoped by tenant, billed as hits (cost 0,
/// `cache_hit`, the saving shown), and shared by replicas on one PostgreSQL.
@Suite("Cache hits billed as hits")
struct CacheBillingTests {
    static let prompt = #"{"model":"kimi-k2.6","messages":[{"role":"user","content":"the same prompt for everyone"}]}"#
    static let streamed = #"{"model":"kimi-k2.6","stream":true,"messages":[{"role":"user","content":"the same prompt for everyone"}]}"#

    /// Polls `GET /usage` until it counts `calls` calls.
    static func usage(_ server: TestServer, key: String, calls: Int) async throws -> JSONValue {
        let deadline = ContinuousClock.now + .seconds(10)
        var total: JSONValue?
        while ContinuousClock.now < deadline {
            total = try await server.request(.GET, "/api/v1/usage?group_by=model", key: key).json?["total"]
            if total?["calls"]?.intValue == calls, let total { return total }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("usage did not reach \(calls) calls: \(String(describing: total))")
        throw CancellationError()
    }

    @Test("two tenants send the same prompt through the gateway: no shared answers; the same tenant twice is a hit, billed 0 with the saving shown",
          arguments: TestDatabase.available)
    func gatewayHitsBilledAsHits(database: TestDatabase) async throws {
        try await withTestServer(database, workers: 0, cached: true) { server in
            let (tenantA, keyA) = try await server.tenant()
            let (tenantB, keyB) = try await server.tenant()
            #expect(try await server.request(.POST, "/v1/chat/completions", key: keyA, body: Self.prompt).status == 200)
            #expect(server.provider.requestCount == 1)
            #expect(try await server.request(.POST, "/v1/chat/completions", key: keyB, body: Self.prompt).status == 200)
            #expect(server.provider.requestCount == 2, "tenant B's call must reach the provider, not tenant A's cached answer")
            #expect(try await server.request(.POST, "/v1/chat/completions", key: keyA, body: Self.prompt).status == 200)
            let stream = try await server.request(.POST, "/v1/chat/completions", key: keyA, body: Self.streamed)
            #expect(stream.status == 200 && stream.body.contains("[DONE]"))
            #expect(server.provider.requestCount == 2, "tenant A's repeated prompt (plain and streamed) is answered from its cache")

            let rows = try await waitForLedger(server, tenantID: tenantA, count: 3)
            #expect(rows.count == 3)
            let misses = rows.filter { !$0.cacheHit }
            let hits = rows.filter(\.cacheHit)
            let miss = try #require(misses.first)
            #expect(misses.count == 1 && hits.count == 2)
            #expect(miss.costUSD > 0 && miss.savedUSD == 0)
            for hit in hits {
                #expect(hit.costUSD == 0, "a hit is billed nothing")
                #expect(hit.savedUSD == miss.costUSD, "a hit saves what the call would have cost")
                #expect(hit.usage == miss.usage)
            }
            let rowsB = try await waitForLedger(server, tenantID: tenantB, count: 1)
            #expect(rowsB.count == 1 && rowsB.allSatisfy { !$0.cacheHit && $0.costUSD == miss.costUSD })

            let total = try await Self.usage(server, key: keyA, calls: 3)
            #expect(total["cache_hits"]?.intValue == 2)
            #expect(total["cost_usd"]?.stringValue.flatMap { Decimal(string: $0) } == miss.costUSD)
            #expect(total["saved_usd"]?.stringValue.flatMap { Decimal(string: $0) } == miss.costUSD * 2)
            let csv = try await server.request(.GET, "/api/v1/usage.csv?group_by=model", key: keyA)
            #expect(csv.body.hasPrefix("model,calls,cache_hits,") && csv.body.contains(",saved_usd\r\n"))
            let totalB = try await Self.usage(server, key: keyB, calls: 1)
            #expect(totalB["cache_hits"]?.intValue == 0 && totalB["saved_usd"]?.stringValue == "0")
        }
    }

    @Test("a run's calls are in the ledger when it reads as finished, each with its run, agent, model and exact cost", arguments: TestDatabase.available)
    func runCallsCarryTheirAgent(database: TestDatabase) async throws {
        try await withTestServer(database, workers: 1, script: SwarmScript(), cached: true) { server in
            let (tenantID, key) = try await server.tenant()
            let created = try await server.request(.POST, "/api/v1/runs", key: key, body: #"{"task":"Design it","graph":\#(threeTaskGraph)}"#)
            let id = try #require(created.json?["id"]?.stringValue)
            let run = try await server.waitForRun(id, key: key)
            #expect(run["status"]?.stringValue == "succeeded")
            // No polling: the run's usage is written before its status says it finished.
            let rows = try await server.store.usage.ledger(
                tenantID: tenantID, from: Date().addingTimeInterval(-3600), to: Date().addingTimeInterval(3600))
            #expect(rows.count == server.provider.requestCount)
            #expect(rows.allSatisfy { $0.runID == id && $0.model == "kimi-k2.6" && $0.provider == "moonshot" && $0.costUSD > 0 && !$0.cacheHit })
            #expect(Set(rows.compactMap(\.agentID)) == ["requirements", "risks", "design", "synthesis"])
            let total = rows.reduce(Decimal(0)) { $0 + $1.costUSD }
            #expect(run["cost_usd"]?.stringValue.flatMap { Decimal(string: $0) } == total, "the run's cost is the sum of its ledger rows")
        }
    }

    @Test("two replicas on one PostgreSQL share the L2 cache: a call through replica B is a hit for one made through replica A",
          .enabled(if: TestDatabase.postgresURL != nil, "needs PostgreSQL: KIMISWARM_TEST_DATABASE_URL (scripts/test sets it)"))
    func replicasShareTheCache() async throws {
        try await LoopbackProviderServer.withServer { provider in
            try await withFreshLocation(.postgres) { location in
                // Two servers, each with its own memory tier (L1), on one database (L2).
                try await withTestServer(at: location, provider: provider, workers: 0, cached: true) { replicaA in
                    try await withTestServer(at: location, provider: provider, workers: 0, adminKey: replicaA.adminKey, cached: true) { replicaB in
                        let (tenantID, key) = try await replicaA.tenant()
                        #expect(try await replicaA.request(.POST, "/v1/chat/completions", key: key, body: Self.prompt).status == 200)
                        #expect(provider.requestCount == 1)
                        let answer = try await replicaB.request(.POST, "/v1/chat/completions", key: key, body: Self.prompt)
                        #expect(answer.status == 200)
                        #expect(provider.requestCount == 1, "replica B answered from the shared L2 cache")
                        let rows = try await waitForLedger(replicaB, tenantID: tenantID, count: 2)
                        #expect(rows.filter(\.cacheHit).count == 1)
                        #expect(rows.filter(\.cacheHit).allSatisfy { $0.costUSD == 0 && $0.savedUSD > 0 })
                        // Another tenant on replica B is not answered from tenant A's entry.
                        let (_, other) = try await replicaB.tenant()
                        #expect(try await replicaB.request(.POST, "/v1/chat/completions", key: other, body: Self.prompt).status == 200)
                        #expect(provider.requestCount == 2)
                    }
                }
            }
        }
    }
}
