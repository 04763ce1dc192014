public import Foundation
public import KimiSwarmCore

/// Runs of a tenant: task, graph, budgets, status, result and totals.
public struct RunRepository: Sendable {
    let context: RepositoryContext

    public init(context: RepositoryContext) { self.context = context }

    /// Creates a run in `queued`.
    public func createRun(
        tenantID: String, id: String = UUID().uuidString.lowercased(), task: String, templateID: String? = nil,
        createdBy: String? = nil, budgets: String? = nil
    ) async throws -> RunRecord {
        let now = context.now
        try await context.database.query(
            """
            INSERT INTO runs(tenant_id, id, template_id, created_by, task, budgets, status, created_at, updated_at)
            VALUES (\(tenantID), \(id), \(templateID), \(createdBy), \(task), \(budgets), \(RunStatus.queued.rawValue), \(now), \(now))
            """)
        guard let run = try await run(tenantID: tenantID, runID: id) else { throw StoreError.notFound("run") }
        return run
    }

    /// One run.
    public func run(tenantID: String, runID: String) async throws -> RunRecord? {
        try await context.database.first("SELECT * FROM runs WHERE tenant_id = \(tenantID) AND id = \(runID)").map(Self.run)
    }

    /// The tenant's runs, newest first, optionally of one status.
    public func runs(tenantID: String, status: RunStatus? = nil, limit: Int = 100) async throws -> [RunRecord] {
        let filter: SQLQuery = status.map { " AND status = \($0.rawValue)" } ?? ""
        return try await context.database.query(
            "SELECT * FROM runs WHERE tenant_id = \(tenantID)\(filter) ORDER BY created_at DESC, id LIMIT \(limit)"
        ).map(Self.run)
    }

    /// Sets a run's status, and its result and graph when given. On PostgreSQL, listeners
    /// get a status notice (seq 0).
    public func updateRun(tenantID: String, runID: String, status: RunStatus, result: String? = nil, graph: String? = nil) async throws {
        let now = context.now
        let finished: Date? = status.isFinal ? now : nil
        let rows = try await context.database.query(
            """
            UPDATE runs SET status = \(status.rawValue), result = COALESCE(\(result), result), graph = COALESCE(\(graph), graph),
                updated_at = \(now), finished_at = COALESCE(\(finished), finished_at)
            WHERE tenant_id = \(tenantID) AND id = \(runID) RETURNING id
            """)
        if rows.isEmpty { throw StoreError.notFound("run") }
        try await context.database.notifyRunChange(tenantID: tenantID, runID: runID)
    }

    /// Adds a step's usage and cost to the run's totals (exact decimal arithmetic).
    public func addToTotals(tenantID: String, runID: String, usage: Usage, costUSD: Decimal) async throws {
        let now = context.now
        try await context.database.transaction { tx in
            guard
                let row = try await tx.first(
                    "SELECT cost_usd FROM runs WHERE tenant_id = \(tenantID) AND id = \(runID)\(dialect: .forUpdate)")
            else { throw StoreError.notFound("run") }
            let cost = try row.decimal("cost_usd") + costUSD
            try await tx.query(
                """
                UPDATE runs SET prompt_tokens = prompt_tokens + \(usage.promptTokens),
                    completion_tokens = completion_tokens + \(usage.completionTokens), cost_usd = \(cost), updated_at = \(now)
                WHERE tenant_id = \(tenantID) AND id = \(runID)
                """)
        }
    }

    static func run(_ row: SQLRow) throws -> RunRecord {
        guard let status = RunStatus(rawValue: try row.string("status")) else { throw StoreError.decoding(column: "status") }
        return RunRecord(
            tenantID: try row.string("tenant_id"), id: try row.string("id"), templateID: try row.optionalString("template_id"),
            createdBy: try row.optionalString("created_by"), task: try row.string("task"), graph: try row.optionalString("graph"),
            budgets: try row.optionalString("budgets"), status: status, result: try row.optionalString("result"),
            promptTokens: try row.int("prompt_tokens"), completionTokens: try row.int("completion_tokens"),
            costUSD: try row.decimal("cost_usd"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"),
            finishedAt: try row.optionalDate("finished_at"), spec: try row.optionalString("spec"),
            apiKeyID: try row.optionalString("api_key_id"), idempotencyKey: try row.optionalString("idempotency_key"),
            requestHash: try row.optionalString("request_hash"), cancelRequestedAt: try row.optionalDate("cancel_requested_at"),
            jobID: try row.optionalString("job_id"))
    }
}
