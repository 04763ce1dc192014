import Foundation
import KimiSwarmCore
import KimiSwarmStore
import Testing

@Suite("Store repositories round-trip")
struct RepositoryTests {
    @Test("tenants, users and memberships", arguments: TestDatabase.available)
    func directory(_ kind: TestDatabase) async throws {
        try await withTestStore(kind) { store in
            let acme = try await store.directory.createTenant(name: "Acme")
            let other = try await store.directory.createTenant(name: "Other")
            await #expect(throws: StoreError.self) { try await store.directory.createTenant(name: "Dup", id: acme.id) }
            #expect(try await store.directory.listTenants().map(\.id).sorted() == [acme.id, other.id].sorted())
            #expect(try await store.directory.tenant(tenantID: acme.id) == acme)

            let ada = try await store.directory.createUser(email: "Ada@Example.com", displayName: "Ada")
            #expect(try await store.directory.user(email: "ada@example.com") == ada)
            for role in Role.allCases {
                let member = try await store.members.setMember(tenantID: acme.id, userID: ada.id, role: role)
                #expect(member.role == role)
            }
            try await store.members.setMember(tenantID: other.id, userID: ada.id, role: .viewer)
            #expect(try await store.members.members(tenantID: acme.id).map(\.role) == [.billingAdmin])
            #expect(try await store.directory.tenantsOfUser(userID: ada.id).count == 2)
            try await store.members.removeMember(tenantID: acme.id, userID: ada.id)
            #expect(try await store.members.member(tenantID: acme.id, userID: ada.id) == nil)
            #expect(try await store.members.member(tenantID: other.id, userID: ada.id)?.role == .viewer)
        }
    }

    @Test("API keys keep only a hash and a prefix", arguments: TestDatabase.available)
    func apiKeys(_ kind: TestDatabase) async throws {
        try await withTestStore(kind) { store in
            let tenant = try await store.directory.createTenant(name: "Acme")
            let created = try await store.apiKeys.createKey(tenantID: tenant.id, name: "ci", role: .developer)
            #expect(created.plaintext.hasPrefix(created.key.prefix))
            let raw = try await store.database.query("SELECT * FROM api_keys")
            #expect(!raw.flatMap(\.values).contains(.text(created.plaintext)))
            let found = try await store.apiKeys.authenticate(presentedKey: created.plaintext)
            #expect(found?.id == created.key.id)
            #expect(found?.tenantID == tenant.id)
            #expect(found?.lastUsedAt != nil)
            #expect(try await store.apiKeys.authenticate(presentedKey: created.plaintext + "x") == nil)
            try await store.apiKeys.revokeKey(tenantID: tenant.id, keyID: created.key.id)
            #expect(try await store.apiKeys.authenticate(presentedKey: created.plaintext) == nil)
            #expect(try await store.apiKeys.keys(tenantID: tenant.id).first?.revokedAt != nil)
            let other = try await store.directory.createTenant(name: "Other")
            #expect(try await store.apiKeys.keys(tenantID: other.id).isEmpty)
            await #expect(throws: StoreError.self) { try await store.apiKeys.revokeKey(tenantID: other.id, keyID: created.key.id) }
        }
    }

    @Test("agent templates, plans and quotas", arguments: TestDatabase.available)
    func templatesAndQuotas(_ kind: TestDatabase) async throws {
        try await withTestStore(kind) { store in
            try await store.quotas.savePlan(
                Plan(id: "pro", name: "Pro", limits: QuotaLimits(monthlyTokenLimit: 1_000_000, monthlyCostLimitUSD: Decimal(string: "250.50"), maxConcurrentRuns: 10)))
            let tenant = try await store.directory.createTenant(name: "Acme", planID: "pro")
            try await store.templates.saveTemplate(tenantID: tenant.id, id: "auditor", name: "Auditor", definition: "{\"v\":1}")
            let saved = try await store.templates.saveTemplate(tenantID: tenant.id, id: "auditor", name: "Auditor 2", definition: "{\"v\":2}")
            #expect(saved.definition == "{\"v\":2}")
            #expect(try await store.templates.templates(tenantID: tenant.id).count == 1)
            let other = try await store.directory.createTenant(name: "Other")
            #expect(try await store.templates.template(tenantID: other.id, templateID: "auditor") == nil)
            try await store.templates.deleteTemplate(tenantID: tenant.id, templateID: "auditor")
            #expect(try await store.templates.template(tenantID: tenant.id, templateID: "auditor") == nil)

            #expect(try await store.quotas.listPlans().map(\.id) == ["free", "premium", "pro", "unlimited"])
            try await store.quotas.setQuota(tenantID: tenant.id, limits: QuotaLimits(maxConcurrentRuns: 3, requestsPerMinute: 60))
            let quota = try await store.quotas.effectiveQuota(tenantID: tenant.id)
            #expect(quota == QuotaLimits(monthlyTokenLimit: 1_000_000, monthlyCostLimitUSD: Decimal(string: "250.50"), maxConcurrentRuns: 3, requestsPerMinute: 60))
            #expect(try await store.quotas.effectiveQuota(tenantID: other.id) == QuotaLimits())
        }
    }

    @Test("runs with exact totals, and ordered events", arguments: TestDatabase.available)
    func runsAndEvents(_ kind: TestDatabase) async throws {
        try await withTestStore(kind) { store in
            let tenant = try await store.directory.createTenant(name: "Acme")
            let other = try await store.directory.createTenant(name: "Other")
            let run = try await store.runs.submitTestRun(tenantID: tenant.id, task: "audit the repo", budgets: "{\"usd\":\"5\"}")
            #expect(run.status == .queued)
            #expect(try await store.runs.run(tenantID: other.id, runID: run.id) == nil)
            #expect(try await store.runs.markRunning(tenantID: tenant.id, runID: run.id))
            try await store.runs.finishRun(
                tenantID: tenant.id, runID: run.id, status: .succeeded, result: "done", graph: "{}",
                usage: Usage(promptTokens: 30, completionTokens: 15), costUSD: Decimal(string: "0.000000369")!)
            let finished = try #require(try await store.runs.run(tenantID: tenant.id, runID: run.id))
            #expect(finished.costUSD == Decimal(string: "0.000000369")!)
            #expect(finished.promptTokens == 30)
            #expect(finished.result == "done")
            #expect(finished.finishedAt != nil)
            #expect(try await store.runs.listRuns(tenantID: tenant.id, filter: RunFilter(status: .succeeded)).map(\.id) == [run.id])
            #expect(try await store.runs.listRuns(tenantID: other.id).isEmpty)

            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    group.addTask { try await store.events.appendEvent(tenantID: tenant.id, runID: run.id, type: "step", data: "{\"i\":\(index)}") }
                }
                try await group.waitForAll()
            }
            let events = try await store.events.events(tenantID: tenant.id, runID: run.id)
            #expect(events.map(\.seq) == Array(1...20))
            #expect(try await store.events.events(tenantID: tenant.id, runID: run.id, afterSeq: 15).map(\.seq) == [16, 17, 18, 19, 20])
            #expect(try await store.events.events(tenantID: other.id, runID: run.id).isEmpty)
            await #expect(throws: StoreError.self) {
                try await store.events.appendEvent(tenantID: other.id, runID: run.id, type: "x", data: "{}")
            }
        }
    }

    @Test("the response cache expires and is per tenant", arguments: TestDatabase.available)
    func responseCache(_ kind: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestStore(kind, clock: clock.storeClock) { store in
            let body: [UInt8] = Array("{\"answer\":42}".utf8)
            try await store.responseCache.storeResponse(
                tenantID: "a", key: "k", body: body, provider: "openai", model: "m", expiresAt: clock.now.addingTimeInterval(60))
            #expect(try await store.responseCache.cachedEntry(tenantID: "a", key: "k")?.body == body)
            #expect(try await store.responseCache.cachedEntry(tenantID: "b", key: "k") == nil)
            clock.advance(by: 61)
            #expect(try await store.responseCache.cachedEntry(tenantID: "a", key: "k") == nil)
            #expect(try await store.responseCache.purgeExpiredResponses() == 1)
        }
    }

    @Test("the run journal: first write wins, per tenant, in order", arguments: TestDatabase.available)
    func journal(_ kind: TestDatabase) async throws {
        try await withTestStore(kind) { store in
            let journal: any RunJournal = store.journal(tenantID: "acme")
            let first = JournalEntry(
                runID: "r1", stepID: "llm-1", kind: .llm, payload: "{\"text\":\"a\"}",
                usage: Usage(promptTokens: 7, cachedPromptTokens: 2, completionTokens: 3, reasoningTokens: 1),
                costUSD: Decimal(string: "0.000045")!, recordedAt: Date(timeIntervalSince1970: 1_800_000_000.123))
            let stored = try await journal.record(first)
            #expect(stored == first)
            var second = first
            second.payload = "{\"text\":\"b\"}"
            #expect(try await journal.record(second).payload == first.payload)
            try await journal.record(JournalEntry(runID: "r1", stepID: "tool-1", kind: .tool, payload: "{}"))
            try await journal.record(JournalEntry(runID: "r1", stepID: "a-synthesis", kind: .synthesis, payload: "{}"))
            #expect(try await journal.entries(runID: "r1").map(\.stepID) == ["llm-1", "tool-1", "a-synthesis"])
            #expect(try await journal.entry(runID: "r1", stepID: "llm-1")?.costUSD == Decimal(string: "0.000045")!)

            let otherTenant: any RunJournal = store.journal(tenantID: "other")
            #expect(try await otherTenant.entry(runID: "r1", stepID: "llm-1") == nil)
            #expect(try await otherTenant.entries(runID: "r1").isEmpty)
            // Racing writers of one step agree on its result.
            let results = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await journal.record(JournalEntry(runID: "r2", stepID: "s", kind: .llm, payload: "\(index)")).payload
                    }
                }
                var all: Set<String> = []
                for try await payload in group { all.insert(payload) }
                return all
            }
            #expect(results.count == 1)
        }
    }
}
