import Foundation
import KimiSwarmCore
import KimiSwarmStore
import Testing

/// Runs: listing, cancel, resume and finish, and the notices that carry their changes.
extension ServerStoreTests {
    @Test("listRuns filters, searches and pages newest first", arguments: TestDatabase.available)
    func listRuns(_ kind: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestStore(kind, clock: clock.storeClock) { store in
            let tenant = try await store.directory.createTenant(name: "Acme")
            let other = try await store.directory.createTenant(name: "Other")
            _ = try await store.runs.submitTestRun(tenantID: other.id, task: "Audit other")
            var ids: [String] = []
            for index in 0..<7 {
                // Two runs share each timestamp, so the id breaks ties.
                if index % 2 == 0 { clock.advance(by: 1) }
                let task = index == 3 ? "Review 100%_done" : (index % 2 == 0 ? "Audit module \(index)" : "review Module \(index)")
                let run = try await store.runs.submitTestRun(
                    tenantID: tenant.id, id: "run-\(index)", task: task, templateID: index % 2 == 0 ? "auditor" : "reviewer",
                    createdBy: index < 4 ? "ada" : "bob")
                ids.append(run.id)
            }
            try await store.runs.finishRun(tenantID: tenant.id, runID: "run-2", status: .succeeded, result: nil, usage: Usage(), costUSD: 0)
            let all = try await store.runs.listRuns(tenantID: tenant.id, filter: RunFilter(), after: nil, limit: 100)
            let expected = try await store.runs.listRuns(tenantID: tenant.id, limit: 100).sorted {
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

    @Test("run event notices reach another replica (PostgreSQL LISTEN/NOTIFY)")
    func listenNotify() async throws {
        guard TestDatabase.available.contains(.postgres) else { return }
        try await withFreshLocation(.postgres) { location in
            try await withStore(at: location) { writer in
                try await withStore(at: location, migrate: false) { reader in
                    let tenant = try await writer.directory.createTenant(name: "Acme")
                    let run = try await writer.runs.submitTestRun(tenantID: tenant.id, task: "t")
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
                    try await writer.runs.finishRun(tenantID: tenant.id, runID: run.id, status: .succeeded, result: nil, usage: Usage(), costUSD: 0)
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
            let ended = Locked(false)
            let listener = Task {
                try await store.listenForRunEvents { _ in }
                ended.withLock { $0 = true }
            }
            // Give the listener every chance to return on its own: it must not.
            for _ in 0..<1_000 { await Task.yield() }
            #expect(!ended.value)
            listener.cancel()
            try await listener.value
            #expect(ended.value)
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
