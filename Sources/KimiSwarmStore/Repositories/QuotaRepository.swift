import Foundation

/// Plans (super-admin) and each tenant's quota overrides.
///
/// Migration 2 seeds four plans: `free`, `pro`, `premium` and `unlimited`.
public struct QuotaRepository: Sendable {
    let context: RepositoryContext

    public init(context: RepositoryContext) { self.context = context }

    /// Creates or replaces a plan (super-admin). Every limit is written, so a `nil` limit
    /// clears the plan's earlier value.
    public func savePlan(_ plan: Plan) async throws {
        let limits = plan.limits
        try await context.database.query(
            """
            INSERT INTO plans(id, name, monthly_token_limit, monthly_cost_limit_usd, max_concurrent_runs, requests_per_minute,
                daily_token_limit, max_subagents_per_run, created_at)
            VALUES (\(plan.id), \(plan.name), \(limits.monthlyTokenLimit), \(limits.monthlyCostLimitUSD), \(limits.maxConcurrentRuns),
                \(limits.requestsPerMinute), \(limits.dailyTokenLimit), \(limits.maxSubAgentsPerRun), \(context.now))
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, monthly_token_limit = excluded.monthly_token_limit,
                monthly_cost_limit_usd = excluded.monthly_cost_limit_usd, max_concurrent_runs = excluded.max_concurrent_runs,
                requests_per_minute = excluded.requests_per_minute, daily_token_limit = excluded.daily_token_limit,
                max_subagents_per_run = excluded.max_subagents_per_run
            """)
    }

    /// Every plan (super-admin and billing), by id.
    public func listPlans() async throws -> [Plan] {
        try await context.database.query("SELECT * FROM plans ORDER BY id").map(Self.plan)
    }

    /// One plan by id (super-admin and billing: plans are global), or `nil`.
    public func plan(id: String) async throws -> Plan? {
        try await context.database.first("SELECT * FROM plans WHERE id = \(id)").map(Self.plan)
    }

    /// Deletes a plan (super-admin). Refused with a conflict (``StoreError/isConflict``) while
    /// a tenant is on it; ``StoreError/notFound(_:)`` when there is no such plan.
    public func deletePlan(id: String) async throws {
        try await context.database.transaction { tx in
            guard try await tx.first("SELECT id FROM plans WHERE id = \(id)\(dialect: .forUpdate)") != nil else {
                throw StoreError.notFound("plan")
            }
            if try await tx.first("SELECT id FROM tenants WHERE plan_id = \(id) LIMIT 1") != nil {
                throw StoreError.inUse("plan")
            }
            try await tx.query("DELETE FROM plans WHERE id = \(id)")
        }
    }

    /// Sets the super admin's overrides of the tenant's plan (all of them: `nil` means "take
    /// the plan's"). They may raise or lower the plan's limits; they are the ceiling of what the
    /// tenant's own admins may set (``setOwnLimits(tenantID:limits:)``).
    public func setQuota(tenantID: String, limits: QuotaLimits) async throws {
        try await upsertLimits(table: "tenant_quotas", tenantID: tenantID, limits: limits)
    }

    /// The super admin's overrides (the tenant's `tenant_quotas` row only, without the plan's
    /// limits), or `nil` when it has none.
    public func quotaOverrides(tenantID: String) async throws -> QuotaLimits? {
        try await context.database.first("SELECT * FROM tenant_quotas WHERE tenant_id = \(tenantID)").map(Self.limits)
    }

    /// Removes the super admin's overrides, so its plan's limits apply again (the tenant's
    /// own limits stay).
    public func clearQuota(tenantID: String) async throws {
        try await context.database.query("DELETE FROM tenant_quotas WHERE tenant_id = \(tenantID)")
    }

    /// Sets the limits the tenant's own admins chose (all of them: `nil` means "no limit of our
    /// own"). The caller checks that none is above ``ceiling(tenantID:)``; they can only tighten.
    public func setOwnLimits(tenantID: String, limits: QuotaLimits) async throws {
        try await upsertLimits(table: "tenant_own_limits", tenantID: tenantID, limits: limits)
    }

    /// The limits the tenant's own admins chose, or `nil` when they set none.
    public func ownLimits(tenantID: String) async throws -> QuotaLimits? {
        try await context.database.first("SELECT * FROM tenant_own_limits WHERE tenant_id = \(tenantID)").map(Self.limits)
    }

    /// Removes the limits the tenant's own admins chose.
    public func clearOwnLimits(tenantID: String) async throws {
        try await context.database.query("DELETE FROM tenant_own_limits WHERE tenant_id = \(tenantID)")
    }

    /// What the super admin allows the tenant: its overrides, then its plan's. The tenant's own
    /// admins may set limits at or below these, never above.
    public func ceiling(tenantID: String) async throws -> QuotaLimits {
        let overrides = try await quotaOverrides(tenantID: tenantID)
        let plan = try await context.database.first(
            "SELECT p.* FROM plans p JOIN tenants t ON t.plan_id = p.id WHERE t.id = \(tenantID)"
        ).map(Self.limits)
        return (overrides ?? QuotaLimits()).overriding(plan ?? QuotaLimits())
    }

    /// The tenant's effective limits: the lower of its own admins' limits and the
    /// ``ceiling(tenantID:)`` (the super admin's overrides, then the plan's), limit by limit.
    public func effectiveQuota(tenantID: String) async throws -> QuotaLimits {
        let ceiling = try await ceiling(tenantID: tenantID)
        guard let own = try await ownLimits(tenantID: tenantID) else { return ceiling }
        return own.tightening(ceiling)
    }

    private func upsertLimits(table: String, tenantID: String, limits: QuotaLimits) async throws {
        try await context.database.query(
            """
            INSERT INTO \(raw: table)(tenant_id, monthly_token_limit, monthly_cost_limit_usd, max_concurrent_runs, requests_per_minute,
                daily_token_limit, max_subagents_per_run, updated_at)
            VALUES (\(tenantID), \(limits.monthlyTokenLimit), \(limits.monthlyCostLimitUSD), \(limits.maxConcurrentRuns),
                \(limits.requestsPerMinute), \(limits.dailyTokenLimit), \(limits.maxSubAgentsPerRun), \(context.now))
            ON CONFLICT (tenant_id) DO UPDATE SET monthly_token_limit = excluded.monthly_token_limit,
                monthly_cost_limit_usd = excluded.monthly_cost_limit_usd, max_concurrent_runs = excluded.max_concurrent_runs,
                requests_per_minute = excluded.requests_per_minute, daily_token_limit = excluded.daily_token_limit,
                max_subagents_per_run = excluded.max_subagents_per_run, updated_at = excluded.updated_at
            """)
    }

    static func plan(_ row: SQLRow) throws -> Plan {
        Plan(id: try row.string("id"), name: try row.string("name"), limits: try limits(row))
    }

    static func limits(_ row: SQLRow) throws -> QuotaLimits {
        QuotaLimits(
            monthlyTokenLimit: try row.optionalInt64("monthly_token_limit").map { Int($0) },
            monthlyCostLimitUSD: try row.optionalString("monthly_cost_limit_usd").flatMap { Decimal(exactText: $0) },
            maxConcurrentRuns: try row.optionalInt64("max_concurrent_runs").map { Int($0) },
            requestsPerMinute: try row.optionalInt64("requests_per_minute").map { Int($0) },
            dailyTokenLimit: try row.optionalInt64("daily_token_limit").map { Int($0) },
            maxSubAgentsPerRun: try row.optionalInt64("max_subagents_per_run").map { Int($0) })
    }
}
