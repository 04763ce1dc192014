import Foundation
import KimiSwarmCore
import KimiSwarmStore
import Testing

/// The store features the HTTP server needs (migration 2, "server").
@Suite("Store features for the server")
struct ServerStoreTests {
    @Test("seeded plans, plan lookup and deletion, quota overrides", arguments: TestDatabase.available)
    func plansAndQuotas(_ kind: TestDatabase) async throws {
        try await withTestStore(kind) { store in
            #expect(try await store.quotas.listPlans().map(\.id) == ["free", "premium", "pro", "unlimited"])
            let free = try #require(try await store.quotas.plan(id: "free"))
            #expect(
                free.limits
                    == QuotaLimits(
                        monthlyTokenLimit: nil, monthlyCostLimitUSD: Decimal(5), maxConcurrentRuns: 1, requestsPerMinute: 60,
                        dailyTokenLimit: 200_000, maxSubAgentsPerRun: 10))
            let pro = try #require(try await store.quotas.plan(id: "pro"))
            #expect(pro.limits.requestsPerMinute == 600)
            #expect(pro.limits.dailyTokenLimit == 5_000_000)
            #expect(pro.limits.monthlyCostLimitUSD == Decimal(100))
            #expect(pro.limits.maxConcurrentRuns == 5)
            #expect(pro.limits.maxSubAgentsPerRun == 50)
            let premium = try #require(try await store.quotas.plan(id: "premium"))
            #expect(premium.limits == QuotaLimits(monthlyCostLimitUSD: Decimal(1000), maxConcurrentRuns: 20, requestsPerMinute: 3000,
                dailyTokenLimit: 50_000_000, maxSubAgentsPerRun: 200))
            #expect(try await store.quotas.plan(id: "unlimited")?.limits == QuotaLimits())
            #expect(try await store.quotas.plan(id: "gold") == nil)

            // New limits round-trip through savePlan.
            try await store.quotas.savePlan(Plan(id: "team", name: "Team", limits: QuotaLimits(dailyTokenLimit: 7, maxSubAgentsPerRun: 3)))
            #expect(try await store.quotas.plan(id: "team")?.limits == QuotaLimits(dailyTokenLimit: 7, maxSubAgentsPerRun: 3))

            let tenant = try await store.directory.createTenant(name: "Acme", planID: "free")
            #expect(try await store.quotas.quotaOverrides(tenantID: tenant.id) == nil)
            #expect(try await store.quotas.effectiveQuota(tenantID: tenant.id) == free.limits)
            try await store.quotas.setQuota(tenantID: tenant.id, limits: QuotaLimits(dailyTokenLimit: 1_000, maxSubAgentsPerRun: 2))
            #expect(try await store.quotas.quotaOverrides(tenantID: tenant.id) == QuotaLimits(dailyTokenLimit: 1_000, maxSubAgentsPerRun: 2))
            let effective = try await store.quotas.effectiveQuota(tenantID: tenant.id)
            #expect(effective.dailyTokenLimit == 1_000)
            #expect(effective.maxSubAgentsPerRun == 2)
            #expect(effective.requestsPerMinute == 60)
            let other = try await store.directory.createTenant(name: "Other")
            #expect(try await store.quotas.quotaOverrides(tenantID: other.id) == nil)
            try await store.quotas.clearQuota(tenantID: tenant.id)
            #expect(try await store.quotas.quotaOverrides(tenantID: tenant.id) == nil)
            #expect(try await store.quotas.effectiveQuota(tenantID: tenant.id) == free.limits)

            // A plan in use cannot be deleted; an unused one can.
            do {
                try await store.quotas.deletePlan(id: "free")
                Issue.record("deleting a plan in use succeeded")
            } catch let error as StoreError {
                #expect(error.isConflict)
            }
            #expect(try await store.quotas.plan(id: "free") != nil)
            try await store.quotas.deletePlan(id: "team")
            #expect(try await store.quotas.plan(id: "team") == nil)
            do {
                try await store.quotas.deletePlan(id: "team")
                Issue.record("deleting a missing plan succeeded")
            } catch let error as StoreError {
                #expect(error.isNotFound)
            }
            try await store.directory.setPlan(tenantID: tenant.id, planID: "pro")
            try await store.quotas.deletePlan(id: "free")
        }
    }

    @Test("API keys expire; find reads without writing; recordUse", arguments: TestDatabase.available)
    func apiKeyExpiry(_ kind: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestStore(kind, clock: clock.storeClock) { store in
            let tenant = try await store.directory.createTenant(name: "Acme")
            let expiring = try await store.apiKeys.createKey(
                tenantID: tenant.id, name: "temp", role: .viewer, expiresAt: clock.now.addingTimeInterval(60))
            let forever = try await store.apiKeys.createKey(tenantID: tenant.id, name: "ci", role: .developer)
            #expect(expiring.key.expiresAt != nil)
            #expect(try await store.apiKeys.key(tenantID: tenant.id, keyID: expiring.key.id) == expiring.key)
            #expect(APIKeyRepository.hash(expiring.plaintext).count == 64)
            let raw = try await store.database.first("SELECT key_hash FROM api_keys WHERE id = \(expiring.key.id)")
            #expect(try raw?.string("key_hash") == APIKeyRepository.hash(expiring.plaintext))

            // find does not write last_used_at.
            let found = try #require(try await store.apiKeys.find(presentedKey: expiring.plaintext))
            #expect(found.lastUsedAt == nil)
            #expect(found.isUsable(at: clock.now))
            #expect(try await store.apiKeys.key(tenantID: tenant.id, keyID: expiring.key.id)?.lastUsedAt == nil)
            #expect(try await store.apiKeys.find(presentedKey: "ks_nope") == nil)

            #expect(try await store.apiKeys.authenticate(presentedKey: expiring.plaintext)?.id == expiring.key.id)
            clock.advance(by: 61)
            #expect(try await store.apiKeys.authenticate(presentedKey: expiring.plaintext) == nil)
            #expect(try await store.apiKeys.authenticate(presentedKey: forever.plaintext)?.id == forever.key.id)
            let expired = try #require(try await store.apiKeys.find(presentedKey: expiring.plaintext))
            #expect(expired.isExpired(at: clock.now))
            #expect(!expired.isUsable(at: clock.now))

            try await store.apiKeys.revokeKey(tenantID: tenant.id, keyID: forever.key.id)
            let revoked = try #require(try await store.apiKeys.find(presentedKey: forever.plaintext))
            #expect(revoked.revokedAt != nil)
            #expect(!revoked.isUsable(at: clock.now))

            let when = Date(millisecondsSince1970: 1_900_000_000_000)
            try await store.apiKeys.recordUse(tenantID: tenant.id, keyID: expiring.key.id, at: when)
            #expect(try await store.apiKeys.key(tenantID: tenant.id, keyID: expiring.key.id)?.lastUsedAt == when)
            // Another tenant's id changes nothing and finds nothing.
            let other = try await store.directory.createTenant(name: "Other")
            try await store.apiKeys.recordUse(tenantID: other.id, keyID: expiring.key.id, at: Date(millisecondsSince1970: 1))
            #expect(try await store.apiKeys.key(tenantID: tenant.id, keyID: expiring.key.id)?.lastUsedAt == when)
            #expect(try await store.apiKeys.key(tenantID: other.id, keyID: expiring.key.id) == nil)
        }
    }

    @Test("tenants are suspended and renamed; users by id and listed", arguments: TestDatabase.available)
    func tenantsAndUsers(_ kind: TestDatabase) async throws {
        try await withTestStore(kind) { store in
            let tenant = try await store.directory.createTenant(name: "Acme")
            #expect(tenant.suspendedAt == nil)
            try await store.directory.setSuspended(tenantID: tenant.id, true)
            let suspended = try #require(try await store.directory.tenant(tenantID: tenant.id))
            #expect(suspended.isSuspended)
            try await store.directory.setSuspended(tenantID: tenant.id, true)
            #expect(try await store.directory.tenant(tenantID: tenant.id)?.suspendedAt == suspended.suspendedAt)
            try await store.directory.setSuspended(tenantID: tenant.id, false)
            #expect(try await store.directory.tenant(tenantID: tenant.id)?.suspendedAt == nil)
            try await store.directory.renameTenant(tenantID: tenant.id, name: "Acme Corp")
            #expect(try await store.directory.tenant(tenantID: tenant.id)?.name == "Acme Corp")
            await #expect(throws: StoreError.self) { try await store.directory.renameTenant(tenantID: "missing", name: "x") }
            await #expect(throws: StoreError.self) { try await store.directory.setSuspended(tenantID: "missing", true) }

            let ada = try await store.directory.createUser(email: "ada@example.com", displayName: "Ada")
            let bob = try await store.directory.createUser(email: "bob@example.com", displayName: "Bob", isSuperAdmin: true)
            #expect(try await store.directory.user(id: ada.id) == ada)
            #expect(try await store.directory.user(id: "missing") == nil)
            #expect(Set(try await store.directory.listUsers()) == [ada, bob])
            try await store.members.setMember(tenantID: tenant.id, userID: ada.id, role: .developer)
            try await store.members.removeMember(tenantID: tenant.id, userID: ada.id)
            #expect(try await store.members.members(tenantID: tenant.id).isEmpty)
        }
    }

    static func submission(
        _ tenantID: String, id: String = UUID().uuidString.lowercased(), task: String = "audit the repo", key: String? = nil,
        hash: String? = nil
    ) -> RunSubmission {
        RunSubmission(
            tenantID: tenantID, id: id, task: task, templateID: "auditor", createdBy: "u1", apiKeyID: "k1",
            spec: "{\"task\":\"\(task)\"}", budgets: "{\"tokens\":1000}", idempotencyKey: key, requestHash: hash,
            jobPayload: "{\"run\":\"\(id)\"}")
    }

    @Test("submit creates the run and its job; idempotency keys", arguments: TestDatabase.available)
    func submitAndIdempotency(_ kind: TestDatabase) async throws {
        try await withTestStore(kind) { store in
            let tenant = try await store.directory.createTenant(name: "Acme")
            let outcome = try await store.runs.submit(Self.submission(tenant.id, key: "k-1", hash: "h1"))
            guard case .created(let run) = outcome else {
                Issue.record("expected a new run, got \(outcome)")
                return
            }
            #expect(run.status == .queued)
            #expect(run.spec == "{\"task\":\"audit the repo\"}")
            #expect(run.apiKeyID == "k1")
            #expect(run.idempotencyKey == "k-1")
            #expect(run.requestHash == "h1")
            #expect(run.budgets == "{\"tokens\":1000}")
            let jobID = try #require(run.jobID)
            let job = try #require(try await store.jobs.job(tenantID: tenant.id, jobID: jobID))
            #expect(job.queue == "runs")
            #expect(job.status == .queued)
            #expect(job.maxAttempts == 3)
            #expect(job.payload == "{\"run\":\"\(run.id)\"}")

            let again = try await store.runs.submit(Self.submission(tenant.id, key: "k-1", hash: "h1"))
            #expect(again == .existing(run))
            let different = try await store.runs.submit(Self.submission(tenant.id, task: "other", key: "k-1", hash: "h2"))
            #expect(different == .idempotencyConflict(run))
            // Keys are per tenant; no key means always new.
            let other = try await store.directory.createTenant(name: "Other")
            guard case .created = try await store.runs.submit(Self.submission(other.id, key: "k-1", hash: "h1")) else {
                Issue.record("the same key in another tenant did not create a run")
                return
            }
            guard case .created = try await store.runs.submit(Self.submission(tenant.id)),
                case .created = try await store.runs.submit(Self.submission(tenant.id))
            else {
                Issue.record("runs without a key were not created")
                return
            }
            #expect(try await store.runs.activeRunCount(tenantID: tenant.id) == 3)
            #expect(try await store.jobs.jobs(tenantID: tenant.id, status: .queued).count == 3)

            // A failed insert (duplicate run id) leaves no job behind.
            await #expect(throws: StoreError.self) { try await store.runs.submit(Self.submission(tenant.id, id: run.id)) }
            #expect(try await store.jobs.jobs(tenantID: tenant.id, status: .queued).count == 3)
        }
    }

    @Test("concurrent submits with one idempotency key create one run", arguments: TestDatabase.available)
    func concurrentSubmits(_ kind: TestDatabase) async throws {
        try await withTestStore(kind) { store in
            let tenant = try await store.directory.createTenant(name: "Acme")
            let outcomes = try await withThrowingTaskGroup(of: RunSubmissionOutcome.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await store.runs.submit(Self.submission(tenant.id, key: "same", hash: "h")) }
                }
                var all: [RunSubmissionOutcome] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            let created = outcomes.filter { if case .created = $0 { return true } else { return false } }
            #expect(created.count == 1)
            #expect(Set(outcomes.map(\.run.id)).count == 1)
            #expect(try await store.runs.countRuns(tenantID: tenant.id) == 1)
            #expect(try await store.jobs.jobs(tenantID: tenant.id, status: .queued).count == 1)
        }
    }
}
