import Foundation
public import KimiSwarmCore

/// The engine's ``RunJournal`` on the store, bound to one tenant: entries are keyed by
/// `(tenant, run, step)` and the first write of a step wins.
public struct StoreRunJournal: RunJournal {
    /// The tenant every entry belongs to.
    public let tenantID: String
    let context: RepositoryContext

    /// A journal of `tenantID`'s runs. Prefer ``SwarmStore/journal(tenantID:)``.
    public init(tenantID: String, context: RepositoryContext) {
        self.tenantID = tenantID
        self.context = context
    }

    @discardableResult
    public func record(_ entry: JournalEntry) async throws -> JournalEntry {
        let usage = entry.usage
        let tenantID = self.tenantID
        // One statement: the next sequence number and the insert, skipped when the step exists.
        try await context.database.query(
            """
            INSERT INTO run_journal(tenant_id, run_id, step_id, seq, kind, payload, prompt_tokens, cached_prompt_tokens,
                cache_write_tokens, completion_tokens, reasoning_tokens, cost_usd, recorded_at)
            SELECT \(tenantID), \(entry.runID), \(entry.stepID), COALESCE(MAX(seq), 0) + 1, \(entry.kind.rawValue), \(entry.payload),
                \(usage.promptTokens), \(usage.cachedPromptTokens), \(usage.cacheWriteTokens), \(usage.completionTokens),
                \(usage.reasoningTokens), \(entry.costUSD), \(entry.recordedAt)
            FROM run_journal WHERE tenant_id = \(tenantID) AND run_id = \(entry.runID)
            ON CONFLICT (tenant_id, run_id, step_id) DO NOTHING
            """)
        guard let stored = try await self.entry(runID: entry.runID, stepID: entry.stepID) else {
            throw StoreError.notFound("journal entry")
        }
        return stored
    }

    public func entry(runID: String, stepID: String) async throws -> JournalEntry? {
        try await context.database.first(
            "SELECT * FROM run_journal WHERE tenant_id = \(tenantID) AND run_id = \(runID) AND step_id = \(stepID)"
        ).map(Self.entry)
    }

    public func entries(runID: String) async throws -> [JournalEntry] {
        try await context.database.query(
            "SELECT * FROM run_journal WHERE tenant_id = \(tenantID) AND run_id = \(runID) ORDER BY seq, recorded_at, step_id"
        ).map(Self.entry)
    }

    static func entry(_ row: SQLRow) throws -> JournalEntry {
        JournalEntry(
            runID: try row.string("run_id"), stepID: try row.string("step_id"), kind: .init(rawValue: try row.string("kind")),
            payload: try row.string("payload"), usage: try UsageRepository.usage(row), costUSD: try row.decimal("cost_usd"),
            recordedAt: try row.date("recorded_at"))
    }
}
