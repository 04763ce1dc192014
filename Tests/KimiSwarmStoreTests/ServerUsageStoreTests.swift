import Foundation
import KimiSwarmCore
import KimiSwarmStore
import Testing

/// Usage breakdowns and batches, and upgrading a version-1 database.
extension ServerStoreTests {
    @Test("usage breakdowns by dimension and by user, and cost since a day", arguments: TestDatabase.available)
    func usageBreakdowns(_ kind: TestDatabase) async throws {
        try await withTestStore(kind) { store in
            let day1 = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15
            let day2 = day1.addingTimeInterval(86_400)
            let rows: [(Date, String?, String?, String, String, Int, String)] = [
                (day1, "ada", "k1", "moonshot", "kimi-k2.6", 100, "0.1"),
                (day1, "ada", nil, "anthropic", "claude", 200, "0.2"),
                (day2, "bob", "k1", "moonshot", "kimi-k2.6", 300, "0.3"),
                (day2, nil, "k2", "moonshot", "kimi-k3", 400, "0.0000000000000000000000000001"),
            ]
            for (date, user, key, provider, model, tokens, cost) in rows {
                try await store.usage.recordUsage(
                    tenantID: "acme",
                    UsageRecord(
                        tenantID: "acme", userID: user, apiKeyID: key, templateID: model == "claude" ? "auditor" : nil, provider: provider,
                        model: model, usage: Usage(promptTokens: tokens, completionTokens: 10), costUSD: try #require(Decimal(string: cost)),
                        latencyMilliseconds: 5, cacheHit: tokens == 300, createdAt: date))
            }
            try await store.usage.recordUsage(
                tenantID: "beta",
                UsageRecord(tenantID: "beta", provider: "moonshot", model: "kimi-k2.6", usage: Usage(promptTokens: 9_999), costUSD: 9,
                    latencyMilliseconds: 1, createdAt: day1))
            let d1 = UsageRollup.day(of: day1)
            let d2 = UsageRollup.day(of: day2)

            let byDay = try await store.usage.breakdown(tenantID: "acme", fromDay: d1, toDay: d2, by: .day)
            #expect(byDay.map(\.key) == [d1, d2])
            #expect(byDay[0].calls == 2)
            #expect(byDay[0].usage.promptTokens == 300)
            #expect(byDay[0].costUSD == Decimal(string: "0.3"))
            #expect(byDay[1].costUSD == Decimal(string: "0.3000000000000000000000000001"))
            #expect(byDay[1].cacheHits == 1)
            let byModel = try await store.usage.breakdown(tenantID: "acme", fromDay: d1, toDay: d2, by: .model)
            #expect(byModel.map(\.key) == ["claude", "kimi-k2.6", "kimi-k3"])
            #expect(byModel[1].calls == 2)
            #expect(byModel[1].usage.promptTokens == 400)
            let byProvider = try await store.usage.breakdown(tenantID: "acme", fromDay: d1, toDay: d2, by: .provider)
            #expect(byProvider.map(\.key) == ["anthropic", "moonshot"])
            let byTemplate = try await store.usage.breakdown(tenantID: "acme", fromDay: d1, toDay: d2, by: .template)
            #expect(byTemplate.map(\.key) == ["", "auditor"])
            let byKey = try await store.usage.breakdown(tenantID: "acme", fromDay: d1, toDay: d2, by: .apiKey)
            #expect(byKey.map(\.key) == ["", "k1", "k2"])
            #expect(byKey[1].calls == 2)
            #expect(try await store.usage.breakdown(tenantID: "acme", fromDay: d2, toDay: d2, by: .day).map(\.key) == [d2])

            let since = try await store.usage.costSince(tenantID: "acme", fromDay: d2)
            #expect(since.tokens == 720)
            #expect(since.costUSD == Decimal(string: "0.3000000000000000000000000001"))
            let all = try await store.usage.costSince(tenantID: "acme", fromDay: d1)
            #expect(all.tokens == 1_040)
            #expect(all.costUSD == Decimal(string: "0.6000000000000000000000000001"))

            let byUser = try await store.usage.byUser(tenantID: "acme", from: day1, to: day2.addingTimeInterval(1))
            #expect(byUser.map(\.key) == ["", "ada", "bob"])
            #expect(byUser[1].calls == 2)
            #expect(byUser[1].usage.promptTokens == 300)
            #expect(byUser[1].usage.completionTokens == 20)
            #expect(byUser[1].costUSD == Decimal(string: "0.3"))
            #expect(byUser[2].cacheHits == 1)
            #expect(byUser[0].costUSD == Decimal(string: "0.0000000000000000000000000001"))
            #expect(try await store.usage.byUser(tenantID: "acme", from: day1, to: day2).map(\.key) == ["ada"])
        }
    }

    @Test("a store migrated to version 1 upgrades with its data", arguments: TestDatabase.available)
    func upgradeFromVersion1(_ kind: TestDatabase) async throws {
        try await withFreshLocation(kind) { location in
            try await withStore(at: location, migrate: false) { store in
                let applied = try await Migrator(database: store.database, migrations: [Schema.migrations[0]], logger: testLogger).migrate()
                #expect(applied == [1])
                try await store.directory.createTenant(name: "Acme", id: "acme")
                _ = try await store.database.query(
                    """
                    INSERT INTO runs(tenant_id, id, task, status, created_at, updated_at)
                    VALUES ('acme', 'old', 'old task', 'queued', 1, 1)
                    """)
            }
            try await withStore(at: location) { store in
                let run = try #require(try await store.runs.run(tenantID: "acme", runID: "old"))
                #expect(run.spec == nil)
                #expect(run.idempotencyKey == nil)
                #expect(try await store.directory.tenant(tenantID: "acme")?.suspendedAt == nil)
                #expect(try await store.quotas.listPlans().count == 4)
            }
        }
    }
}

@Suite("Usage batches")
struct UsageBatchTests {
    @Test("a batch writes every ledger row and adds each rollup's sum once, exactly as row-by-row writes do", arguments: TestDatabase.available)
    func batchMatchesSingleWrites(kind: TestDatabase) async throws {
        try await withTestStore(kind) { store in
            let a = try await store.directory.createTenant(name: "a")
            let b = try await store.directory.createTenant(name: "b")
            let day = Date(timeIntervalSince1970: 1_800_000_000)
            func record(_ tenant: String, _ model: String, _ cost: String, key: String? = nil) -> UsageRecord {
                UsageRecord(
                    tenantID: tenant, apiKeyID: key, provider: "moonshot", model: model, usage: Usage(promptTokens: 10, completionTokens: 3),
                    costUSD: Decimal(string: cost)!, latencyMilliseconds: 7, createdAt: day)
            }
            let batch = [
                record(a.id, "m1", "0.001"), record(a.id, "m1", "0.0002"), record(a.id, "m2", "0.1", key: "k"), record(b.id, "m1", "0.3"),
            ]
            try await store.usage.recordUsageBatch(batch)
            try await store.usage.recordUsageBatch([record(a.id, "m1", "0.00003")])
            try await store.usage.recordUsage(tenantID: a.id, record(a.id, "m1", "0.000004"))
            let dayText = UsageRollup.day(of: day)
            let rollups = try await store.usage.rollups(tenantID: a.id, fromDay: dayText, toDay: dayText)
            let m1 = try #require(rollups.first { $0.key.model == "m1" })
            #expect(m1.calls == 4)
            #expect(m1.costUSD == Decimal(string: "0.001234")!)
            #expect(m1.usage.promptTokens == 40)
            #expect(rollups.first { $0.key.model == "m2" }?.key.apiKeyID == "k")
            let ledger = try await store.usage.ledger(tenantID: a.id, from: day.addingTimeInterval(-1), to: day.addingTimeInterval(1))
            #expect(ledger.count == 5)
            let totalB = try await store.usage.totals(tenantID: b.id, fromDay: dayText, toDay: dayText)
            #expect(totalB.calls == 1 && totalB.costUSD == Decimal(string: "0.3")!)
            // All or nothing: a batch with a duplicate id writes nothing.
            let duplicate = record(b.id, "m9", "1")
            await #expect(throws: (any Error).self) { try await store.usage.recordUsageBatch([duplicate, duplicate]) }
            let afterB = try await store.usage.totals(tenantID: b.id, fromDay: dayText, toDay: dayText)
            #expect(afterB.calls == 1)
        }
    }
}
