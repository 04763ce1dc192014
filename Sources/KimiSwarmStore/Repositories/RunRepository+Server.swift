public import Foundation
public import KimiSwarmCore

/// What the HTTP server and its workers do with runs: submit with an idempotency key and
/// the run's job in one transaction, list with filters and keyset pagination, cancel,
/// resume, and the worker's status transitions.
///
/// Every status change sends a notice with seq 0 on PostgreSQL (see
/// ``SwarmStore/listenForRunEvents(_:)``), so listeners on other replicas re-read the run.
extension RunRepository {
    var jobQueue: JobQueue { JobQueue(context: context) }

    /// Creates the run (status `queued`) and enqueues its job in one transaction; the run
    /// keeps the job's id in ``RunRecord/jobID``.
    ///
    /// With an idempotency key already used by the tenant, nothing is created: the earlier
    /// run comes back as ``RunSubmissionOutcome/existing(_:)`` when its request hash equals
    /// this one (both `nil` counts as equal), else as
    /// ``RunSubmissionOutcome/idempotencyConflict(_:)``. Concurrent submissions with one key
    /// create exactly one run: the losers of the unique index re-read the winner's.
    public func submit(_ submission: RunSubmission) async throws -> RunSubmissionOutcome {
        let tenantID = submission.tenantID
        if let key = submission.idempotencyKey, let earlier = try await run(tenantID: tenantID, idempotencyKey: key) {
            return Self.outcome(of: submission, earlier: earlier)
        }
        let queue = self.jobQueue
        let now = context.now
        do {
            let created = try await context.database.transaction { tx -> RunRecord in
                let jobID = UUID().uuidString.lowercased()
                try await tx.query(
                    """
                    INSERT INTO runs(tenant_id, id, template_id, created_by, task, budgets, status, created_at, updated_at,
                        spec, api_key_id, idempotency_key, request_hash, job_id)
                    VALUES (\(tenantID), \(submission.id), \(submission.templateID), \(submission.createdBy), \(submission.task),
                        \(submission.budgets), \(RunStatus.queued.rawValue), \(now), \(now), \(submission.spec),
                        \(submission.apiKeyID), \(submission.idempotencyKey), \(submission.requestHash), \(jobID))
                    """)
                try await queue.enqueue(
                    on: tx, tenantID: tenantID, queue: submission.queue, kind: submission.jobKind, payload: submission.jobPayload,
                    priority: submission.priority, maxAttempts: submission.maxAttempts, id: jobID)
                try await tx.notifyRunChange(tenantID: tenantID, runID: submission.id)
                guard let row = try await tx.first("SELECT * FROM runs WHERE tenant_id = \(tenantID) AND id = \(submission.id)")
                else { throw StoreError.notFound("run") }
                return try Self.run(row)
            }
            return .created(created)
        } catch {
            // Another submission with the same key committed first (unique index): return its run.
            if let key = submission.idempotencyKey, let earlier = try await run(tenantID: tenantID, idempotencyKey: key) {
                return Self.outcome(of: submission, earlier: earlier)
            }
            throw error
        }
    }

    /// The tenant's run submitted with an idempotency key, or `nil`.
    public func run(tenantID: String, idempotencyKey: String) async throws -> RunRecord? {
        try await context.database.first("SELECT * FROM runs WHERE tenant_id = \(tenantID) AND idempotency_key = \(idempotencyKey)")
            .map(Self.run)
    }

    /// A page of the tenant's runs matching `filter`, newest first (`created_at DESC, id DESC`),
    /// strictly after `cursor` (keyset pagination: pass ``RunCursor/init(after:)`` of the
    /// last run of the previous page). `limit` is clamped to `1...1000`.
    public func listRuns(tenantID: String, filter: RunFilter = RunFilter(), after cursor: RunCursor? = nil, limit: Int = 50) async throws
        -> [RunRecord]
    {
        var conditions = Self.conditions(tenantID: tenantID, filter: filter)
        if let cursor {
            let ms = cursor.createdAt.millisecondsSince1970
            conditions = conditions + " AND (created_at < \(ms) OR (created_at = \(ms) AND id < \(cursor.id)))"
        }
        let limit = min(max(limit, 1), 1000)
        return try await context.database.query(
            "SELECT * FROM runs WHERE \(conditions) ORDER BY created_at DESC, id DESC LIMIT \(limit)"
        ).map(Self.run)
    }

    /// How many of the tenant's runs match `filter` (for dashboards' counters).
    public func countRuns(tenantID: String, filter: RunFilter = RunFilter()) async throws -> Int {
        try await context.database.first("SELECT COUNT(*) AS n FROM runs WHERE \(Self.conditions(tenantID: tenantID, filter: filter))")?.int("n") ?? 0
    }

    /// The `WHERE` clause of a filter.
    static func conditions(tenantID: String, filter: RunFilter) -> SQLQuery {
        var conditions: SQLQuery = "tenant_id = \(tenantID)"
        if let status = filter.status { conditions = conditions + " AND status = \(status.rawValue)" }
        if let templateID = filter.templateID { conditions = conditions + " AND template_id = \(templateID)" }
        if let createdBy = filter.createdBy { conditions = conditions + " AND created_by = \(createdBy)" }
        if let from = filter.createdFrom { conditions = conditions + " AND created_at >= \(from)" }
        if let to = filter.createdTo { conditions = conditions + " AND created_at < \(to)" }
        if let search = filter.search, !search.isEmpty {
            let pattern = "%" + Self.escapeLike(search.lowercased()) + "%"
            conditions = conditions + " AND LOWER(task) LIKE \(pattern) ESCAPE '\\'"
        }
        return conditions
    }

    /// Asks a run to stop. A queued run is cancelled at once (`finished_at` set) and its
    /// queued job is closed as succeeded so no worker starts it; a running run gets
    /// `cancel_requested_at`, which its worker polls with ``isCancelRequested(tenantID:runID:)``
    /// and then finishes the run as `cancelled`. A finished run is left alone.
    public func requestCancel(tenantID: String, runID: String) async throws -> RunCancelOutcome {
        let now = context.now
        return try await context.database.transaction { tx -> RunCancelOutcome in
            guard
                let row = try await tx.first("SELECT * FROM runs WHERE tenant_id = \(tenantID) AND id = \(runID)\(dialect: .forUpdate)")
            else { return .notFound }
            let current = try Self.run(row)
            switch current.status {
            case .succeeded, .partial, .failed, .cancelled:
                return .alreadyFinished(current)
            case .queued:
                try await tx.query(
                    """
                    UPDATE runs SET status = \(RunStatus.cancelled.rawValue), cancel_requested_at = \(now), finished_at = \(now),
                        updated_at = \(now)
                    WHERE tenant_id = \(tenantID) AND id = \(runID)
                    """)
                if let jobID = current.jobID {
                    try await tx.query(
                        """
                        UPDATE jobs SET status = 'succeeded', last_error = 'run cancelled before it started', finished_at = \(now),
                            updated_at = \(now)
                        WHERE tenant_id = \(tenantID) AND id = \(jobID) AND status = 'queued'
                        """)
                }
                try await tx.notifyRunChange(tenantID: tenantID, runID: runID)
                return .cancelledQueued(try await Self.reread(tx, tenantID: tenantID, runID: runID))
            case .running:
                try await tx.query(
                    """
                    UPDATE runs SET cancel_requested_at = COALESCE(cancel_requested_at, \(now)), updated_at = \(now)
                    WHERE tenant_id = \(tenantID) AND id = \(runID)
                    """)
                try await tx.notifyRunChange(tenantID: tenantID, runID: runID)
                return .cancelRequested(try await Self.reread(tx, tenantID: tenantID, runID: runID))
            }
        }
    }

    /// Whether the run should stop: a cancel was requested, or it is cancelled already.
    /// `false` for an unknown run.
    public func isCancelRequested(tenantID: String, runID: String) async throws -> Bool {
        guard let row = try await context.database.first(
            "SELECT status, cancel_requested_at FROM runs WHERE tenant_id = \(tenantID) AND id = \(runID)")
        else { return false }
        let requested = try row.optionalInt64("cancel_requested_at") != nil
        let cancelled = try row.string("status") == RunStatus.cancelled.rawValue
        return requested || cancelled
    }

    /// Puts a failed or cancelled run back in the queue with a new job, in one transaction:
    /// status `queued`, `cancel_requested_at`, `finished_at` and `result` cleared, totals and
    /// graph kept (the journal makes the resumed run skip the work already paid for).
    /// Queued, running and succeeded runs are not resumable.
    public func prepareResume(
        tenantID: String, runID: String, jobPayload: String, jobKind: String = "run", queue queueName: String = "runs",
        priority: Int = 0, maxAttempts: Int = 3
    ) async throws -> RunResumeOutcome {
        let now = context.now
        let queue = self.jobQueue
        return try await context.database.transaction { tx -> RunResumeOutcome in
            guard
                let row = try await tx.first("SELECT * FROM runs WHERE tenant_id = \(tenantID) AND id = \(runID)\(dialect: .forUpdate)")
            else { return .notFound }
            let current = try Self.run(row)
            guard current.status == .failed || current.status == .cancelled else { return .notResumable(current) }
            let job = try await queue.enqueue(
                on: tx, tenantID: tenantID, queue: queueName, kind: jobKind, payload: jobPayload, priority: priority,
                maxAttempts: maxAttempts)
            try await tx.query(
                """
                UPDATE runs SET status = \(RunStatus.queued.rawValue), cancel_requested_at = NULL, finished_at = NULL, result = NULL,
                    job_id = \(job.id), updated_at = \(now)
                WHERE tenant_id = \(tenantID) AND id = \(runID)
                """)
            try await tx.notifyRunChange(tenantID: tenantID, runID: runID)
            return .resumed(try await Self.reread(tx, tenantID: tenantID, runID: runID))
        }
    }

    /// The worker's start: moves a `queued` (or, after a worker crash, `running`) run to
    /// `running`. Returns `false`, changing nothing, when the run is unknown, finished
    /// (cancelled while queued, say) or has a cancel request; a worker then does not run it
    /// (and finishes a still-running one as `cancelled`).
    @discardableResult
    public func markRunning(tenantID: String, runID: String) async throws -> Bool {
        let now = context.now
        let rows = try await context.database.query(
            """
            UPDATE runs SET status = \(RunStatus.running.rawValue), updated_at = \(now)
            WHERE tenant_id = \(tenantID) AND id = \(runID) AND status IN ('queued', 'running') AND cancel_requested_at IS NULL
            RETURNING id
            """)
        if rows.isEmpty { return false }
        try await context.database.notifyRunChange(tenantID: tenantID, runID: runID)
        return true
    }

    /// The worker's end: sets a final status (`succeeded`, `failed` or `cancelled`, else
    /// ``StoreError/invalidArgument(_:)``), the result (replaced, `nil` clears it), the graph
    /// when given, and the run's totals. The usage and cost **replace** the totals: pass the whole run's
    /// figures. Returns the run as stored.
    @discardableResult
    public func finishRun(
        tenantID: String, runID: String, status: RunStatus, result: String?, graph: String? = nil, usage: Usage, costUSD: Decimal
    ) async throws -> RunRecord {
        guard status.isFinal else { throw StoreError.invalidArgument("finishRun needs a final status") }
        let now = context.now
        let rows = try await context.database.query(
            """
            UPDATE runs SET status = \(status.rawValue), result = \(result), graph = COALESCE(\(graph), graph),
                prompt_tokens = \(usage.promptTokens), completion_tokens = \(usage.completionTokens), cost_usd = \(costUSD),
                finished_at = \(now), updated_at = \(now)
            WHERE tenant_id = \(tenantID) AND id = \(runID) RETURNING *
            """)
        guard let row = rows.first else { throw StoreError.notFound("run") }
        try await context.database.notifyRunChange(tenantID: tenantID, runID: runID)
        return try Self.run(row)
    }

    /// The tenant's runs that are `queued` or `running` (for the concurrent-runs quota).
    public func activeRunCount(tenantID: String) async throws -> Int {
        try await context.database.first(
            "SELECT COUNT(*) AS n FROM runs WHERE tenant_id = \(tenantID) AND status IN ('queued', 'running')"
        )?.int("n") ?? 0
    }

    static func outcome(of submission: RunSubmission, earlier: RunRecord) -> RunSubmissionOutcome {
        earlier.requestHash == submission.requestHash ? .existing(earlier) : .idempotencyConflict(earlier)
    }

    static func reread(_ tx: any SQLExecutor, tenantID: String, runID: String) async throws -> RunRecord {
        guard let row = try await tx.first("SELECT * FROM runs WHERE tenant_id = \(tenantID) AND id = \(runID)") else {
            throw StoreError.notFound("run")
        }
        return try run(row)
    }

    /// `text` with `\`, `%` and `_` escaped for `LIKE ... ESCAPE '\'`.
    static func escapeLike(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "\\" || character == "%" || character == "_" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
