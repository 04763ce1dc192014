public import Foundation
import Logging

/// The durable job queue on the store's `jobs` table.
///
/// - `claim` picks the best ready job (highest priority, then oldest `notBefore`) whose
///   status is `queued`, or whose lease expired; on PostgreSQL with `FOR UPDATE SKIP LOCKED`
///   so concurrent workers never wait on or take the same row, on SQLite in one `UPDATE`
///   (SQLite runs one writer at a time). Each claim increments the job's fencing token.
/// - `heartbeat`, `complete`, `fail` and `release` present the lease and match its token, so
///   a stalled worker whose lease was taken over cannot write over its successor.
/// - A job whose lease expires on its last attempt goes to `dead` instead of running again.
public struct JobQueue: Sendable {
    let context: RepositoryContext
    /// The delay between failed attempts.
    public var backoff: RetryBackoff

    public init(context: RepositoryContext, backoff: RetryBackoff = RetryBackoff()) {
        self.context = context
        self.backoff = backoff
    }

    /// Enqueues a job.
    @discardableResult
    public func enqueue(
        tenantID: String, queue: String = "default", kind: String, payload: String = "{}", priority: Int = 0,
        notBefore: Date? = nil, maxAttempts: Int = 5, id: String = UUID().uuidString.lowercased()
    ) async throws -> Job {
        try await enqueue(
            on: context.database, tenantID: tenantID, queue: queue, kind: kind, payload: payload, priority: priority,
            notBefore: notBefore, maxAttempts: maxAttempts, id: id)
    }

    /// Enqueues a job through `executor`, typically an open transaction, so the job is
    /// committed (or rolled back) together with the caller's other writes.
    @discardableResult
    public func enqueue(
        on executor: any SQLExecutor, tenantID: String, queue: String = "default", kind: String, payload: String = "{}",
        priority: Int = 0, notBefore: Date? = nil, maxAttempts: Int = 5, id: String = UUID().uuidString.lowercased()
    ) async throws -> Job {
        let now = context.now
        let job = Job(
            id: id, tenantID: tenantID, queue: queue, kind: kind, payload: payload, priority: priority, status: .queued,
            attempts: 0, maxAttempts: max(1, maxAttempts), notBefore: notBefore ?? now, leaseOwner: nil, leaseExpiresAt: nil,
            fencingToken: 0, lastError: nil, createdAt: now, updatedAt: now, finishedAt: nil)
        try await executor.query(
            """
            INSERT INTO jobs(id, tenant_id, queue, kind, payload, priority, status, attempts, max_attempts, not_before,
                fencing_token, created_at, updated_at)
            VALUES (\(job.id), \(tenantID), \(queue), \(kind), \(payload), \(priority), 'queued', 0, \(job.maxAttempts),
                \(job.notBefore), 0, \(now), \(now))
            """)
        return job
    }

    /// Claims the next ready job of `queue` for `workerID`, with a lease of `leaseDuration`;
    /// `nil` when none is ready. Workers claim across tenants, so this is on the system list of
    /// the tenant-safety test; the lease it returns carries the job's tenant.
    ///
    /// A job whose lease expired on its last attempt (its worker crashed, was killed or stalled
    /// every time) is dead-lettered instead of run again, and handed to `deadLettered`, so
    /// that what the job was for can record the failure.
    public func claim(
        queue: String = "default", workerID: String, leaseDuration: Duration = .seconds(30),
        deadLettered: (Job) async -> Void = { _ in }
    ) async throws -> ClaimedJob? {
        let now = context.now
        let expires = now.addingTimeInterval(leaseDuration.seconds)
        // One statement picks the best candidate and takes it. A candidate whose lease expired
        // on its last attempt is dead-lettered by the same statement instead (SET expressions
        // see the row as it was), and the loop picks the next one.
        let exhausted: SQLQuery = "(status = 'running' AND attempts >= max_attempts)"
        while true {
            let rows = try await context.database.query(
                """
                UPDATE jobs SET
                    status = CASE WHEN \(exhausted) THEN 'dead' ELSE 'running' END,
                    last_error = CASE WHEN \(exhausted) THEN 'lease expired on the last attempt' ELSE last_error END,
                    finished_at = CASE WHEN \(exhausted) THEN \(now) ELSE NULL END,
                    lease_owner = CASE WHEN \(exhausted) THEN NULL ELSE \(workerID) END,
                    lease_expires_at = CASE WHEN \(exhausted) THEN NULL ELSE \(expires) END,
                    attempts = CASE WHEN \(exhausted) THEN attempts ELSE attempts + 1 END,
                    fencing_token = fencing_token + 1, updated_at = \(now)
                WHERE id = (
                    SELECT id FROM jobs
                    WHERE queue = \(queue) AND ((status = 'queued' AND not_before <= \(now))
                        OR (status = 'running' AND lease_expires_at <= \(now)))
                    ORDER BY priority DESC, not_before, created_at, id
                    LIMIT 1\(dialect: .skipLocked))
                RETURNING *
                """)
            guard let row = rows.first else { return nil }
            let job = try Self.job(row)
            if job.status == .dead {
                context.logger.warning(
                    "dead-lettered a job whose lease expired on its last attempt", metadata: ["job_id": "\(job.id)", "attempts": "\(job.attempts)"])
                await deadLettered(job)
                continue
            }
            context.logger.debug(
                "claimed job", metadata: ["job_id": "\(job.id)", "tenant_id": "\(job.tenantID)", "attempt": "\(job.attempts)"])
            return ClaimedJob(
                job: job,
                lease: JobLease(jobID: job.id, tenantID: job.tenantID, fencingToken: job.fencingToken, owner: workerID, expiresAt: expires))
        }
    }

    /// Ends at once the leases `workerID` (and its slots, `workerID-1`, `workerID-2`, ...) still
    /// holds: a worker that starts again under the id it had before a crash, a kill or a host
    /// restart takes its jobs back now instead of waiting for their leases to run out. Their
    /// fencing tokens change on the next claim, so nothing the old process might still write
    /// is accepted. Returns how many leases ended.
    @discardableResult
    public func expireLeases(ownedBy workerID: String) async throws -> Int {
        let now = context.now
        let prefix = workerID + "-"
        return try await context.database.query(
            """
            UPDATE jobs SET lease_expires_at = \(now), updated_at = \(now)
            WHERE status = 'running' AND lease_expires_at > \(now)
                AND (lease_owner = \(workerID) OR substr(lease_owner, 1, CAST(\(prefix.count) AS INTEGER)) = \(prefix))
            RETURNING id
            """
        ).count
    }

    /// Extends a lease; refused (``StoreError/leaseLost``) when the lease was taken over.
    @discardableResult
    public func heartbeat(lease: JobLease, extendBy duration: Duration = .seconds(30)) async throws -> JobLease {
        let now = context.now
        let expires = now.addingTimeInterval(duration.seconds)
        try await fenced(lease, "lease_expires_at = \(expires), updated_at = \(now)")
        var next = lease
        next.expiresAt = expires
        return next
    }

    /// Marks the job done.
    public func complete(lease: JobLease) async throws {
        let now = context.now
        try await fenced(
            lease, "status = 'succeeded', lease_owner = NULL, lease_expires_at = NULL, updated_at = \(now), finished_at = \(now)")
    }

    /// Records a failure: the job is queued again after the backoff, or goes to `dead` when
    /// it used its attempts or `retryable` is false. Returns whether it went to `dead`.
    @discardableResult
    public func fail(lease: JobLease, error message: String, retryable: Bool = true) async throws -> Bool {
        let now = context.now
        return try await context.database.transaction { [backoff] tx -> Bool in
            guard
                let row = try await tx.first(
                    """
                    SELECT attempts, max_attempts FROM jobs
                    WHERE id = \(lease.jobID) AND tenant_id = \(lease.tenantID) AND fencing_token = \(lease.fencingToken)
                    AND status = 'running'\(dialect: .forUpdate)
                    """)
            else { throw StoreError.leaseLost }
            let attempts = try row.int("attempts")
            let maxAttempts = try row.int("max_attempts")
            if retryable && attempts < maxAttempts {
                let next = now.addingTimeInterval(backoff.delay(afterAttempt: attempts).seconds)
                try await tx.query(
                    """
                    UPDATE jobs SET status = 'queued', not_before = \(next), last_error = \(message), lease_owner = NULL,
                        lease_expires_at = NULL, updated_at = \(now)
                    WHERE id = \(lease.jobID) AND fencing_token = \(lease.fencingToken)
                    """)
                return false
            } else {
                try await tx.query(
                    """
                    UPDATE jobs SET status = 'dead', last_error = \(message), lease_owner = NULL, lease_expires_at = NULL,
                        updated_at = \(now), finished_at = \(now)
                    WHERE id = \(lease.jobID) AND fencing_token = \(lease.fencingToken)
                    """)
                return true
            }
        }
    }

    /// Gives a job back unfinished (graceful shutdown): queued again at once, and the attempt
    /// does not count.
    public func release(lease: JobLease) async throws {
        let now = context.now
        try await fenced(
            lease,
            "status = 'queued', attempts = attempts - 1, not_before = \(now), lease_owner = NULL, lease_expires_at = NULL, updated_at = \(now)"
        )
    }

    /// One job of the tenant.
    public func job(tenantID: String, jobID: String) async throws -> Job? {
        try await context.database.first("SELECT * FROM jobs WHERE tenant_id = \(tenantID) AND id = \(jobID)").map(Self.job)
    }

    /// The tenant's jobs of one status, oldest first.
    public func jobs(tenantID: String, status: JobStatus, limit: Int = 100) async throws -> [Job] {
        try await context.database.query(
            "SELECT * FROM jobs WHERE tenant_id = \(tenantID) AND status = \(status.rawValue) ORDER BY created_at, id LIMIT \(limit)"
        ).map(Self.job)
    }

    /// Puts a dead job of the tenant back in the queue with fresh attempts.
    public func retryDeadJob(tenantID: String, jobID: String) async throws {
        let now = context.now
        let rows = try await context.database.query(
            """
            UPDATE jobs SET status = 'queued', attempts = 0, not_before = \(now), finished_at = NULL, updated_at = \(now)
            WHERE tenant_id = \(tenantID) AND id = \(jobID) AND status = 'dead' RETURNING id
            """)
        if rows.isEmpty { throw StoreError.notFound("dead job") }
    }

    /// Jobs per status in a queue, all tenants (system metrics).
    public func queueDepth(queue: String = "default") async throws -> [JobStatus: Int] {
        var result: [JobStatus: Int] = [:]
        for row in try await context.database.query("SELECT status, COUNT(*) AS n FROM jobs WHERE queue = \(queue) GROUP BY status") {
            if let status = JobStatus(rawValue: try row.string("status")) { result[status] = try row.int("n") }
        }
        return result
    }

    private func fenced(_ lease: JobLease, _ assignments: SQLQuery) async throws {
        let rows = try await context.database.query(
            """
            UPDATE jobs SET \(assignments)
            WHERE id = \(lease.jobID) AND tenant_id = \(lease.tenantID) AND fencing_token = \(lease.fencingToken)
            AND status = 'running' RETURNING id
            """)
        if rows.isEmpty {
            context.logger.info("refused a write with a stale lease", metadata: ["job_id": "\(lease.jobID)", "fencing_token": "\(lease.fencingToken)"])
            throw StoreError.leaseLost
        }
    }

    static func job(_ row: SQLRow) throws -> Job {
        guard let status = JobStatus(rawValue: try row.string("status")) else { throw StoreError.decoding(column: "status") }
        return Job(
            id: try row.string("id"), tenantID: try row.string("tenant_id"), queue: try row.string("queue"),
            kind: try row.string("kind"), payload: try row.string("payload"), priority: try row.int("priority"), status: status,
            attempts: try row.int("attempts"), maxAttempts: try row.int("max_attempts"), notBefore: try row.date("not_before"),
            leaseOwner: try row.optionalString("lease_owner"), leaseExpiresAt: try row.optionalDate("lease_expires_at"),
            fencingToken: try row.int64("fencing_token"), lastError: try row.optionalString("last_error"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"), finishedAt: try row.optionalDate("finished_at"))
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    var seconds: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
