import Foundation
import KimiSwarmCore
import KimiSwarmStore
import Testing

@Suite("Usage ledger and rollups")
struct RollupTests {
    @Test("rollups equal a recomputation from the raw ledger", arguments: TestDatabase.available)
    func rollupsMatchLedger(_ kind: TestDatabase) async throws {
        try await withTestStore(kind) { store in
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            let models = ["kimi-k2.6", "claude-sonnet-4-5", "gpt-5-mini"]
            var records: [UsageRecord] = []
            for index in 0..<120 {
                let tenantID = index % 5 == 0 ? "beta" : "acme"
                let apiKeyID: String? = index % 4 == 0 ? nil : "key\(index % 2)"
                let templateID: String? = index % 3 == 0 ? nil : "auditor"
                let provider = index % 2 == 0 ? "moonshot" : "anthropic"
                let usage = Usage(
                    promptTokens: 100 + index, cachedPromptTokens: index % 10, cacheWriteTokens: index % 4,
                    completionTokens: 20 + index % 13, reasoningTokens: index % 5)
                let cost = try #require(Decimal(string: "0.000\(100 + index)7"))
                let createdAt = start.addingTimeInterval(Double(index) * 2_000)
                records.append(
                    UsageRecord(
                        tenantID: tenantID, userID: "u\(index % 3)", apiKeyID: apiKeyID, runID: "run\(index % 7)",
                        templateID: templateID, provider: provider, model: models[index % 3], usage: usage, costUSD: cost,
                        latencyMilliseconds: 50 + index, cacheHit: index % 6 == 0, createdAt: createdAt))
            }
            // Written concurrently, as replicas would.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for chunk in stride(from: 0, to: records.count, by: 15) {
                    let slice = Array(records[chunk..<min(chunk + 15, records.count)])
                    group.addTask { for record in slice { try await store.usage.recordUsage(tenantID: record.tenantID, record) } }
                }
                try await group.waitForAll()
            }
            for tenant in ["acme", "beta"] {
                let raw = try await store.usage.ledger(tenantID: tenant, from: start.addingTimeInterval(-1), to: start.addingTimeInterval(1e7))
                #expect(raw.count == records.filter { $0.tenantID == tenant }.count)
                var expected: [UsageRollup.Key: UsageRollup] = [:]
                for record in raw {
                    let key = UsageRollup.key(of: record)
                    expected[key] = (expected[key] ?? UsageRollup(key: key)).adding(record)
                }
                let rollups = try await store.usage.rollups(tenantID: tenant, fromDay: "2000-01-01", toDay: "2100-01-01")
                #expect(Dictionary(uniqueKeysWithValues: rollups.map { ($0.key, $0) }) == expected)
                let total = try await store.usage.totals(tenantID: tenant, fromDay: "2000-01-01", toDay: "2100-01-01")
                #expect(total.costUSD == raw.reduce(Decimal(0)) { $0 + $1.costUSD })
                #expect(total.calls == raw.count)
            }
            await #expect(throws: StoreError.self) { try await store.usage.recordUsage(tenantID: "beta", records[1]) }
        }
    }

    @Test("retention deletes old raw rows and keeps rollups", arguments: TestDatabase.available)
    func retention(_ kind: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestStore(kind, clock: clock.storeClock) { store in
            try await store.directory.createTenant(name: "Acme", id: "acme")
            let run = try await store.runs.submitTestRun(tenantID: "acme", task: "t")
            try await store.events.appendEvent(tenantID: "acme", runID: run.id, type: "old", data: "{}")
            try await store.journal(tenantID: "acme").record(JournalEntry(runID: run.id, stepID: "s1", kind: .llm, payload: "{}", recordedAt: clock.now))
            try await store.usage.recordUsage(
                tenantID: "acme",
                UsageRecord(tenantID: "acme", provider: "moonshot", model: "kimi-k2.6", usage: Usage(promptTokens: 1), costUSD: 1, latencyMilliseconds: 1, createdAt: clock.now))
            clock.advance(by: 10 * 86_400)
            try await store.events.appendEvent(tenantID: "acme", runID: run.id, type: "new", data: "{}")
            let policy = RetentionPolicy(runEvents: .seconds(86_400), journal: .seconds(86_400), ledger: .seconds(86_400), finishedJobs: .seconds(86_400))
            let report = try await RetentionService.purge(store: store, policy: policy)
            #expect(report.runEvents == 1)
            #expect(report.journal == 1)
            #expect(report.ledger == 1)
            #expect(try await store.events.events(tenantID: "acme", runID: run.id).map(\.type) == ["new"])
            #expect(try await store.usage.totals(tenantID: "acme", fromDay: "2000-01-01", toDay: "2100-01-01").calls == 1)
        }
    }
}
