import Foundation
import KimiSwarmCore

extension UsageRepository {
    /// Records many calls (of any tenants) in one transaction: every ledger row, and each
    /// touched daily rollup locked and updated once with the sum of its rows (in exact decimal
    /// arithmetic here rather than in SQL, so concurrent writers add up one at a time). Much
    /// cheaper per call than single writes, for writers that batch (the gateway's usage
    /// recorder). All or nothing: on failure no row of the batch is written.
    public func recordUsageBatch(_ records: [UsageRecord]) async throws {
        guard !records.isEmpty else { return }
        var sums: [UsageRollup.Key: UsageRollup] = [:]
        var order: [UsageRollup.Key] = []
        for record in records {
            let key = UsageRollup.key(of: record)
            if sums[key] == nil {
                sums[key] = UsageRollup(key: key)
                order.append(key)
            }
            sums[key] = sums[key]?.adding(record)
        }
        // Rollups are locked in one order (sorted keys), so concurrent batches cannot deadlock.
        order.sort { ($0.tenantID, $0.day, $0.provider, $0.model, $0.templateID, $0.apiKeyID) < ($1.tenantID, $1.day, $1.provider, $1.model, $1.templateID, $1.apiKeyID) }
        let rollupKeys = order
        let rollupSums = sums
        try await context.database.transaction { tx in
            for record in records {
                let usage = record.usage
                try await tx.query(
                    """
                    INSERT INTO usage_ledger(tenant_id, id, user_id, api_key_id, run_id, agent_id, template_id, provider, model,
                        prompt_tokens, cached_prompt_tokens, cache_write_tokens, completion_tokens, reasoning_tokens,
                        cost_usd, saved_usd, latency_ms, cache_hit, created_at)
                    VALUES (\(record.tenantID), \(record.id), \(record.userID), \(record.apiKeyID), \(record.runID), \(record.agentID),
                        \(record.templateID), \(record.provider), \(record.model), \(usage.promptTokens), \(usage.cachedPromptTokens),
                        \(usage.cacheWriteTokens), \(usage.completionTokens), \(usage.reasoningTokens), \(record.costUSD),
                        \(record.savedUSD), \(record.latencyMilliseconds), \(record.cacheHit), \(record.createdAt))
                    """)
            }
            for key in rollupKeys {
                guard let sum = rollupSums[key] else { continue }
                let keyFilter: SQLQuery = """
                    tenant_id = \(key.tenantID) AND day = \(key.day) AND provider = \(key.provider) AND model = \(key.model)
                    AND template_id = \(key.templateID) AND api_key_id = \(key.apiKeyID)
                    """
                let lockRollup: SQLQuery = "SELECT * FROM usage_rollups_daily WHERE \(keyFilter)\(dialect: .forUpdate)"
                var locked = try await tx.first(lockRollup)
                if locked == nil {
                    try await tx.query(
                        """
                        INSERT INTO usage_rollups_daily(tenant_id, day, provider, model, template_id, api_key_id, calls, cache_hits,
                            prompt_tokens, cached_prompt_tokens, cache_write_tokens, completion_tokens, reasoning_tokens, cost_usd,
                            saved_usd, latency_ms_total)
                        VALUES (\(key.tenantID), \(key.day), \(key.provider), \(key.model), \(key.templateID), \(key.apiKeyID),
                            0, 0, 0, 0, 0, 0, 0, '0', '0', 0)
                        ON CONFLICT (tenant_id, day, provider, model, template_id, api_key_id) DO NOTHING
                        """)
                    locked = try await tx.first(lockRollup)
                }
                guard let row = locked else { throw StoreError.notFound("rollup") }
                let current = try Self.rollup(row)
                var next = current
                next.calls += sum.calls
                next.cacheHits += sum.cacheHits
                next.usage += sum.usage
                next.costUSD += sum.costUSD
                next.savedUSD += sum.savedUSD
                next.latencyMillisecondsTotal += sum.latencyMillisecondsTotal
                try await tx.query(
                    """
                    UPDATE usage_rollups_daily SET calls = \(next.calls), cache_hits = \(next.cacheHits),
                        prompt_tokens = \(next.usage.promptTokens), cached_prompt_tokens = \(next.usage.cachedPromptTokens),
                        cache_write_tokens = \(next.usage.cacheWriteTokens), completion_tokens = \(next.usage.completionTokens),
                        reasoning_tokens = \(next.usage.reasoningTokens), cost_usd = \(next.costUSD), saved_usd = \(next.savedUSD),
                        latency_ms_total = \(next.latencyMillisecondsTotal)
                    WHERE \(keyFilter)
                    """)
            }
        }
    }
}
