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
            #expect(try await store.runs.runs(tenantID: tenant.id).count == 1)
            #expect(try await store.jobs.jobs(tenantID: tenant.id, status: .queued).count == 1)
        }
    }

    @Test("listRuns filters, searches and pages newest first", arguments: TestDatabase.available)
    func listRuns(_ kind: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestStore(kind, clock: clock.storeClock) { store in
            let tenant = try await store.directory.createTenant(name: "Acme")
            let other = try await store.directory.createTenant(name: "Other")
            _ = try await store.runs.createRun(tenantID: other.id, task: "Audit other")
            var ids: [String] = []
            for index in 0..<7 {
                // Two runs share each timestamp, so the id breaks ties.
                if index % 2 == 0 { clock.advance(by: 1) }
                let task = index == 3 ? "Review 100%_done" : (index % 2 == 0 ? "Audit module \(index)" : "review Module \(index)")
                let run = try await store.runs.createRun(
                    tenantID: tenant.id, id: "run-\(index)", task: task, templateID: index % 2 == 0 ? "auditor" : "reviewer",
                    createdBy: index < 4 ? "ada" : "bob")
                ids.append(run.id)
            }
            try await store.runs.updateRun(tenantID: tenant.id, runID: "run-2", status: .succeeded)
            let all = try await store.runs.listRuns(tenantID: tenant.id, filter: RunFilter(), after: nil, limit: 100)
            let expected = try await store.runs.runs(tenantID: tenant.id).sorted {
                ($0.createdAt, $0.id) > ($1.createdAt, $1.id)
            }.map(\.id)
            #expect(all.map(\.id) == expected)
            #expect(all.count == 7)

            // Pages of 3 walk the same order without gaps or repeats.
            var paged: [String] = []
            var cursor: RunCursor?
            while true {
                let page = try await store.runs.listRuns(tenantID: tenant.id, filter: RunFilter(), after: cursor, limit: 3)
                paged += page.map(\.id)
                guard page.count == 3, let last = page.last else { break }
                let next = RunCursor(after: last)
                #expect(RunCursor(encoded: next.encoded) == next)
                cursor = RunCursor(encoded: next.encoded)
            }
            #expect(paged == expected)
            #expect(RunCursor(encoded: "not a cursor!") == nil)
            #expect(RunCursor(encoded: "") == nil)

            #expect(try await store.runs.listRuns(tenantID: tenant.id, filter: RunFilter(status: .succeeded), after: nil, limit: 10).map(\.id) == ["run-2"])
            #expect(try await store.runs.listRuns(tenantID: tenant.id, filter: RunFilter(templateID: "reviewer"), after: nil, limit: 10).count == 3)
            #expect(try await store.runs.listRuns(tenantID: tenant.id, filter: RunFilter(createdBy: "bob"), after: nil, limit: 10).count == 3)
            let search = try await store.runs.listRuns(tenantID: tenant.id, filter: RunFilter(search: "AUDIT"), after: nil, limit: 10)
            #expect(Set(search.map(\.id)) == ["run-0", "run-2", "run-4", "run-6"])
            let percent = try await store.runs.listRuns(tenantID: tenant.id, filter: RunFilter(search: "100%_"), after: nil, limit: 10)
            #expect(percent.map(\.id) == ["run-3"])
            #expect(try await store.runs.listRuns(tenantID: tenant.id, filter: RunFilter(search: "_"), after: nil, limit: 10).map(\.id) == ["run-3"])
            #expect(try await store.runs.listRuns(tenantID: tenant.id, filter: RunFilter(search: "%"), after: nil, limit: 10).map(\.id) == ["run-3"])
            let first = try #require(all.last)
            let window = try await store.runs.listRuns(
                tenantID: tenant.id, filter: RunFilter(createdFrom: first.createdAt, createdTo: first.createdAt.addingTimeInterval(1)),
                after: nil, limit: 10)
            #expect(Set(window.map(\.id)) == ["run-0", "run-1"])
        }
    }

    @Test("cancel a queued run, a running run; resume; finish", arguments: TestDatabase.available)
    func cancelResumeFinish(_ kind: TestDatabase) async throws {
        try await withTestStore(kind) { store in
            let tenant = try await store.directory.createTenant(name: "Acme")
            #expect(try await store.runs.requestCancel(tenantID: tenant.id, runID: "missing") == .notFound)
            #expect(try await store.runs.prepareResume(tenantID: tenant.id, runID: "missing", jobPayload: "{}") == .notFound)

            // Queued: cancelled at once, and its job never starts.
            let queued = try await store.runs.submit(Self.submission(tenant.id)).run
            guard case .cancelledQueued(let cancelled) = try await store.runs.requestCancel(tenantID: tenant.id, runID: queued.id) else {
                Issue.record("a queued run was not cancelled at once")
                return
            }
            #expect(cancelled.status == .cancelled)
            #expect(cancelled.finishedAt != nil)
            #expect(try await store.jobs.job(tenantID: tenant.id, jobID: try #require(queued.jobID))?.status == .succeeded)
            #expect(try await store.jobs.claim(queue: "runs", workerID: "w1") == nil)
            #expect(try await store.runs.isCancelRequested(tenantID: tenant.id, runID: queued.id))
            #expect(try await store.runs.markRunning(tenantID: tenant.id, runID: queued.id) == false)
            #expect(try await store.runs.requestCancel(tenantID: tenant.id, runID: queued.id) == .alreadyFinished(cancelled))
            #expect(try await store.runs.activeRunCount(tenantID: tenant.id) == 0)

            // Running: the cancel is recorded for the worker.
            let running = try await store.runs.submit(Self.submission(tenant.id)).run
            let claimed = try #require(try await store.jobs.claim(queue: "runs", workerID: "w1"))
            #expect(claimed.job.id == running.jobID)
            #expect(try await store.runs.markRunning(tenantID: tenant.id, runID: running.id))
            #expect(try await store.runs.run(tenantID: tenant.id, runID: running.id)?.status == .running)
            #expect(try await store.runs.activeRunCount(tenantID: tenant.id) == 1)
            #expect(try await store.runs.isCancelRequested(tenantID: tenant.id, runID: running.id) == false)
            guard case .cancelRequested(let requested) = try await store.runs.requestCancel(tenantID: tenant.id, runID: running.id) else {
                Issue.record("a running run did not get a cancel request")
                return
            }
            #expect(requested.status == .running)
            #expect(requested.cancelRequestedAt != nil)
            #expect(try await store.runs.isCancelRequested(tenantID: tenant.id, runID: running.id))
            #expect(try await store.runs.markRunning(tenantID: tenant.id, runID: running.id) == false)
            let other = try await store.directory.createTenant(name: "Other")
            #expect(try await store.runs.isCancelRequested(tenantID: other.id, runID: running.id) == false)
            #expect(try await store.runs.requestCancel(tenantID: other.id, runID: running.id) == .notFound)

            let finished = try await store.runs.finishRun(
                tenantID: tenant.id, runID: running.id, status: .cancelled, result: "stopped", graph: "{\"nodes\":[]}",
                usage: Usage(promptTokens: 100, completionTokens: 20), costUSD: try #require(Decimal(string: "0.0012")))
            try await store.jobs.complete(lease: claimed.lease)
            #expect(finished.status == .cancelled)
            #expect(finished.result == "stopped")
            #expect(finished.graph == "{\"nodes\":[]}")
            #expect(finished.promptTokens == 100)
            #expect(finished.costUSD == Decimal(string: "0.0012"))
            // finishRun replaces totals rather than adding.
            let again = try await store.runs.finishRun(
                tenantID: tenant.id, runID: running.id, status: .failed, result: nil,
                usage: Usage(promptTokens: 150, completionTokens: 30), costUSD: try #require(Decimal(string: "0.0020")))
            #expect(again.promptTokens == 150)
            #expect(again.completionTokens == 30)
            #expect(again.costUSD == Decimal(string: "0.0020"))
            #expect(again.graph == "{\"nodes\":[]}")
            #expect(again.result == nil)
            await #expect(throws: StoreError.self) {
                try await store.runs.finishRun(tenantID: tenant.id, runID: running.id, status: .running, result: nil, usage: .zero, costUSD: 0)
            }
            await #expect(throws: StoreError.self) {
                try await store.runs.finishRun(tenantID: other.id, runID: running.id, status: .failed, result: nil, usage: .zero, costUSD: 0)
            }

            // Resume: a failed run is queued again with a new job.
            guard case .resumed(let resumed) = try await store.runs.prepareResume(tenantID: tenant.id, runID: running.id, jobPayload: "{\"resume\":true}")
            else {
                Issue.record("a failed run was not resumed")
                return
            }
            #expect(resumed.status == .queued)
            #expect(resumed.finishedAt == nil)
            #expect(resumed.cancelRequestedAt == nil)
            #expect(resumed.promptTokens == 150)
            let newJobID = try #require(resumed.jobID)
            #expect(newJobID != running.jobID)
            #expect(try await store.jobs.job(tenantID: tenant.id, jobID: newJobID)?.payload == "{\"resume\":true}")
            #expect(try await store.runs.prepareResume(tenantID: tenant.id, runID: running.id, jobPayload: "{}") == .notResumable(resumed))
            #expect(try await store.runs.markRunning(tenantID: tenant.id, runID: running.id))
            // A cancelled run resumes too.
            #expect(try await store.runs.prepareResume(tenantID: tenant.id, runID: queued.id, jobPayload: "{}").isResumed)
            #expect(try await store.runs.activeRunCount(tenantID: tenant.id) == 2)
            // A succeeded one does not.
            try await store.runs.finishRun(tenantID: tenant.id, runID: running.id, status: .succeeded, result: "ok", usage: .zero, costUSD: 0)
            guard case .notResumable = try await store.runs.prepareResume(tenantID: tenant.id, runID: running.id, jobPayload: "{}") else {
                Issue.record("a succeeded run was resumable")
                return
            }
        }
    }

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

    @Test("run event notices reach another replica (PostgreSQL LISTEN/NOTIFY)")
    func listenNotify() async throws {
        guard TestDatabase.available.contains(.postgres) else { return }
        try await withFreshLocation(.postgres) { location in
            try await withStore(at: location) { writer in
                try await withStore(at: location, migrate: false) { reader in
                    let tenant = try await writer.directory.createTenant(name: "Acme")
                    let run = try await writer.runs.createRun(tenantID: tenant.id, task: "t")
                    let notices = Locked<[RunEventNotice]>([])
                    let listener = Task { try await reader.listenForRunEvents { notice in notices.withLock { $0.append(notice) } } }
                    // The listener starts asynchronously: append until a notice arrives.
                    var seen = false
                    for _ in 0..<100 where !seen {
                        try await writer.events.appendEvent(tenantID: tenant.id, runID: run.id, type: "progress", data: "{}")
                        try await Task.sleep(for: .milliseconds(100))
                        seen = notices.value.contains { $0.tenantID == tenant.id && $0.runID == run.id && $0.seq > 0 }
                    }
                    #expect(seen)
                    let event = try await writer.events.appendEvent(tenantID: tenant.id, runID: run.id, type: "done", data: "{}")
                    try await writer.runs.updateRun(tenantID: tenant.id, runID: run.id, status: .succeeded)
                    var statusSeen = false
                    for _ in 0..<100 where !statusSeen {
                        try await Task.sleep(for: .milliseconds(50))
                        statusSeen = notices.value.contains { $0.runID == run.id && $0.seq == 0 }
                    }
                    #expect(statusSeen)
                    #expect(notices.value.contains(RunEventNotice(tenantID: tenant.id, runID: run.id, seq: event.seq)))
                    listener.cancel()
                    try await listener.value
                }
            }
        }
    }

    @Test("the event listener waits for cancellation on SQLite")
    func listenOnSQLite() async throws {
        try await withTestStore(.sqlite) { store in
            let listener = Task { try await store.listenForRunEvents { _ in } }
            try await Task.sleep(for: .milliseconds(100))
            listener.cancel()
            try await listener.value
        }
    }

    @Test("notice payloads and cursors round-trip")
    func encodings() {
        let notice = RunEventNotice(tenantID: "t1", runID: "r|1", seq: 42)
        #expect(notice.payload == "t1|r|1|42")
        #expect(RunEventNotice(payload: notice.payload) == notice)
        #expect(RunEventNotice(payload: "bad") == nil)
        #expect(RunEventNotice(payload: "a|b|c") == nil)
        let cursor = RunCursor(createdAt: Date(millisecondsSince1970: 1_800_000_000_123), id: "run:é/1")
        #expect(!cursor.encoded.contains("="))
        #expect(RunCursor(encoded: cursor.encoded) == cursor)
    }
}

extension RunResumeOutcome {
    var isResumed: Bool {
        if case .resumed = self { return true }
        return false
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
