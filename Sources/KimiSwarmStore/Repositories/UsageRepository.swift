public import Foundation
import KimiSwarmCore

/// The usage ledger (one row per LLM call) and its daily rollups, kept current in the same
/// transaction as each row, so analytics read rollups and never scan the ledger.
public struct UsageRepository: Sendable {
    let context: RepositoryContext

    public init(context: RepositoryContext) { self.context = context }

    /// Records one call and adds it to its rollup, in one transaction. `record.tenantID` must
    /// equal `tenantID`.
    public func recordUsage(tenantID: String, _ record: UsageRecord) async throws {
        guard record.tenantID == tenantID else { throw StoreError.invalidArgument("the usage record belongs to another tenant") }
        try await recordUsageBatch([record])
    }

    /// Raw ledger rows of the tenant in `[from, to)`, oldest first.
    public func ledger(tenantID: String, from: Date, to: Date, limit: Int = 10_000) async throws -> [UsageRecord] {
        try await context.database.query(
            """
            SELECT * FROM usage_ledger WHERE tenant_id = \(tenantID) AND created_at >= \(from) AND created_at < \(to)
            ORDER BY created_at, id LIMIT \(limit)
            """
        ).map(Self.record)
    }

    /// Daily rollups of the tenant for days `fromDay...toDay` (`YYYY-MM-DD`, inclusive).
    public func rollups(tenantID: String, fromDay: String, toDay: String) async throws -> [UsageRollup] {
        try await context.database.query(
            """
            SELECT * FROM usage_rollups_daily WHERE tenant_id = \(tenantID) AND day >= \(fromDay) AND day <= \(toDay)
            ORDER BY day, provider, model, template_id, api_key_id
            """
        ).map(Self.rollup)
    }

    /// Totals of the tenant over days `fromDay...toDay`, from the rollups.
    public func totals(tenantID: String, fromDay: String, toDay: String) async throws -> UsageRollup {
        let rows = try await rollups(tenantID: tenantID, fromDay: fromDay, toDay: toDay)
        var total = UsageRollup(key: .init(tenantID: tenantID, day: fromDay, provider: "", model: "", templateID: "", apiKeyID: ""))
        for row in rows {
            total.calls += row.calls
            total.cacheHits += row.cacheHits
            total.usage += row.usage
            total.costUSD += row.costUSD
            total.savedUSD += row.savedUSD
            total.latencyMillisecondsTotal += row.latencyMillisecondsTotal
        }
        return total
    }

    /// Usage of the tenant over days `fromDay...toDay` (`YYYY-MM-DD`, inclusive) grouped by
    /// one dimension, from the rollups, with exact decimal cost sums; sorted by key. Calls
    /// without a template or key are grouped under `""`.
    public func breakdown(tenantID: String, fromDay: String, toDay: String, by dimension: UsageDimension) async throws -> [UsageGroup] {
        var groups: [String: UsageGroup] = [:]
        for rollup in try await rollups(tenantID: tenantID, fromDay: fromDay, toDay: toDay) {
            let key: String
            switch dimension {
            case .day: key = rollup.key.day
            case .model: key = rollup.key.model
            case .provider: key = rollup.key.provider
            case .template: key = rollup.key.templateID
            case .apiKey: key = rollup.key.apiKeyID
            }
            var group = groups[key] ?? UsageGroup(key: key)
            group.calls += rollup.calls
            group.cacheHits += rollup.cacheHits
            group.usage += rollup.usage
            group.costUSD += rollup.costUSD
            group.savedUSD += rollup.savedUSD
            groups[key] = group
        }
        return groups.values.sorted { $0.key < $1.key }
    }

    /// Tokens (input plus output) and exact cost of the tenant from `fromDay` (`YYYY-MM-DD`,
    /// inclusive) on, from the rollups: what daily and monthly quota checks compare.
    public func costSince(tenantID: String, fromDay: String) async throws -> (tokens: Int, costUSD: Decimal) {
        let rows = try await context.database.query(
            "SELECT prompt_tokens, completion_tokens, cost_usd FROM usage_rollups_daily WHERE tenant_id = \(tenantID) AND day >= \(fromDay)")
        var tokens = 0
        var cost = Decimal(0)
        for row in rows {
            tokens += try row.int("prompt_tokens") + row.int("completion_tokens")
            cost += try row.decimal("cost_usd")
        }
        return (tokens, cost)
    }

    /// Usage of the tenant per user over `[from, to)`, from the ledger: tokens, calls and
    /// cache hits summed by SQL `GROUP BY user_id`, cost summed exactly here. Calls without a
    /// user are grouped under `""`; sorted by key.
    public func byUser(tenantID: String, from: Date, to: Date) async throws -> [UsageGroup] {
        let rows = try await context.database.query(
            """
            SELECT COALESCE(user_id, '') AS user_key, COUNT(*) AS calls, CAST(SUM(cache_hit) AS BIGINT) AS cache_hits,
                CAST(SUM(prompt_tokens) AS BIGINT) AS prompt_tokens, CAST(SUM(cached_prompt_tokens) AS BIGINT) AS cached_prompt_tokens,
                CAST(SUM(cache_write_tokens) AS BIGINT) AS cache_write_tokens,
                CAST(SUM(completion_tokens) AS BIGINT) AS completion_tokens, CAST(SUM(reasoning_tokens) AS BIGINT) AS reasoning_tokens
            FROM usage_ledger WHERE tenant_id = \(tenantID) AND created_at >= \(from) AND created_at < \(to)
            GROUP BY COALESCE(user_id, '')
            """)
        var groups: [String: UsageGroup] = [:]
        for row in rows {
            let key = try row.string("user_key")
            groups[key] = UsageGroup(
                key: key, calls: try row.int("calls"), cacheHits: try row.int("cache_hits"), usage: try Self.usage(row))
        }
        let costs = try await context.database.query(
            """
            SELECT COALESCE(user_id, '') AS user_key, cost_usd, saved_usd FROM usage_ledger
            WHERE tenant_id = \(tenantID) AND created_at >= \(from) AND created_at < \(to)
            """)
        for row in costs {
            let key = try row.string("user_key")
            groups[key, default: UsageGroup(key: key)].costUSD += try row.decimal("cost_usd")
            groups[key, default: UsageGroup(key: key)].savedUSD += try row.decimal("saved_usd")
        }
        return groups.values.sorted { $0.key < $1.key }
    }

    static func usage(_ row: SQLRow) throws -> Usage {
        Usage(
            promptTokens: try row.int("prompt_tokens"), cachedPromptTokens: try row.int("cached_prompt_tokens"),
            cacheWriteTokens: try row.int("cache_write_tokens"), completionTokens: try row.int("completion_tokens"),
            reasoningTokens: try row.int("reasoning_tokens"))
    }

    static func record(_ row: SQLRow) throws -> UsageRecord {
        UsageRecord(
            id: try row.string("id"), tenantID: try row.string("tenant_id"), userID: try row.optionalString("user_id"),
            apiKeyID: try row.optionalString("api_key_id"), runID: try row.optionalString("run_id"),
            agentID: try row.optionalString("agent_id"), templateID: try row.optionalString("template_id"), provider: try row.string("provider"),
            model: try row.string("model"), usage: try usage(row), costUSD: try row.decimal("cost_usd"), savedUSD: try row.decimal("saved_usd"),
            latencyMilliseconds: try row.int("latency_ms"),
            cacheHit: try row.bool("cache_hit"), createdAt: try row.date("created_at"))
    }

    static func rollup(_ row: SQLRow) throws -> UsageRollup {
        UsageRollup(
            key: .init(
                tenantID: try row.string("tenant_id"), day: try row.string("day"), provider: try row.string("provider"),
                model: try row.string("model"), templateID: try row.string("template_id"), apiKeyID: try row.string("api_key_id")),
            calls: try row.int("calls"), cacheHits: try row.int("cache_hits"), usage: try usage(row),
            costUSD: try row.decimal("cost_usd"), savedUSD: try row.decimal("saved_usd"), latencyMillisecondsTotal: try row.int("latency_ms_total"))
    }
}
