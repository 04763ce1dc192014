/// A run's events: append-only, numbered 1, 2, 3... per run, for replay to late subscribers.
public struct RunEventRepository: Sendable {
    let context: RepositoryContext

    public init(context: RepositoryContext) { self.context = context }

    /// Appends an event; its `seq` is the run's next number. Appends to one run are
    /// serialised by locking the run's row (PostgreSQL) or SQLite's write lock. On
    /// PostgreSQL the same transaction sends a ``RunEventNotice`` on
    /// ``RunEventNotice/channel`` (delivered at commit), so every replica's
    /// ``SwarmStore/listenForRunEvents(_:)`` hears of it.
    @discardableResult
    public func appendEvent(tenantID: String, runID: String, type: String, data: String) async throws -> StoredRunEvent {
        let now = context.now
        return try await context.database.transaction { tx in
            guard try await tx.first("SELECT id FROM runs WHERE tenant_id = \(tenantID) AND id = \(runID)\(dialect: .forUpdate)") != nil
            else { throw StoreError.notFound("run") }
            let last = try await tx.first(
                "SELECT COALESCE(MAX(seq), 0) AS last FROM run_events WHERE tenant_id = \(tenantID) AND run_id = \(runID)")
            let seq = try (last?.int("last") ?? 0) + 1
            try await tx.query(
                """
                INSERT INTO run_events(tenant_id, run_id, seq, type, data, created_at)
                VALUES (\(tenantID), \(runID), \(seq), \(type), \(data), \(now))
                """)
            try await tx.notifyRunChange(tenantID: tenantID, runID: runID, seq: seq)
            return StoredRunEvent(tenantID: tenantID, runID: runID, seq: seq, type: type, data: data, createdAt: now)
        }
    }

    /// Events of a run after `afterSeq` (0 for all), in order.
    public func events(tenantID: String, runID: String, afterSeq: Int = 0, limit: Int = 1000) async throws -> [StoredRunEvent] {
        try await context.database.query(
            """
            SELECT * FROM run_events WHERE tenant_id = \(tenantID) AND run_id = \(runID) AND seq > \(afterSeq)
            ORDER BY seq LIMIT \(limit)
            """
        ).map { row in
            StoredRunEvent(
                tenantID: try row.string("tenant_id"), runID: try row.string("run_id"), seq: try row.int("seq"),
                type: try row.string("type"), data: try row.string("data"), createdAt: try row.date("created_at"))
        }
    }
}

extension SQLExecutor {
    /// On PostgreSQL, sends a ``RunEventNotice`` (inside a transaction it is delivered at
    /// commit); on SQLite, where all replicas share one process, does nothing.
    func notifyRunChange(tenantID: String, runID: String, seq: Int = 0) async throws {
        guard dialect == .postgres else { return }
        let payload = RunEventNotice(tenantID: tenantID, runID: runID, seq: seq).payload
        try await query("SELECT pg_notify(\(RunEventNotice.channel), \(payload))")
    }
}
