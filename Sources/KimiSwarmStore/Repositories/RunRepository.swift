import Foundation
import KimiSwarmCore

/// Runs of a tenant: task, graph, budgets, status, result and totals.
public struct RunRepository: Sendable {
    let context: RepositoryContext

    public init(context: RepositoryContext) { self.context = context }

    /// One run.
    public func run(tenantID: String, runID: String) async throws -> RunRecord? {
        try await context.database.first("SELECT * FROM runs WHERE tenant_id = \(tenantID) AND id = \(runID)").map(Self.run)
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
