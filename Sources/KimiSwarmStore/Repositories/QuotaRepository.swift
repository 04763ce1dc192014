import Foundation

/// Plans (super-admin) and each tenant's quota overrides.
public struct QuotaRepository: Sendable {
    let context: RepositoryContext

    public init(context: RepositoryContext) { self.context = context }

    /// Creates or replaces a plan (super-admin).
    public func savePlan(_ plan: Plan) async throws {
        let limits = plan.limits
        try await context.database.query(
            """
            INSERT INTO plans(id, name, monthly_token_limit, monthly_cost_limit_usd, max_concurrent_runs, requests_per_minute, created_at)
            VALUES (\(plan.id), \(plan.name), \(limits.monthlyTokenLimit), \(limits.monthlyCostLimitUSD), \(limits.maxConcurrentRuns),
                \(limits.requestsPerMinute), \(context.now))
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, monthly_token_limit = excluded.monthly_token_limit,
                monthly_cost_limit_usd = excluded.monthly_cost_limit_usd, max_concurrent_runs = excluded.max_concurrent_runs,
                requests_per_minute = excluded.requests_per_minute
            """)
    }

    /// Every plan (super-admin and billing).
    public func listPlans() async throws -> [Plan] {
        try await context.database.query("SELECT * FROM plans ORDER BY id").map { row in
            Plan(id: try row.string("id"), name: try row.string("name"), limits: try Self.limits(row))
        }
    }

    /// Sets the tenant's own overrides of its plan's limits.
    public func setQuota(tenantID: String, limits: QuotaLimits) async throws {
        try await context.database.query(
            """
            INSERT INTO tenant_quotas(tenant_id, monthly_token_limit, monthly_cost_limit_usd, max_concurrent_runs, requests_per_minute, updated_at)
            VALUES (\(tenantID), \(limits.monthlyTokenLimit), \(limits.monthlyCostLimitUSD), \(limits.maxConcurrentRuns),
                \(limits.requestsPerMinute), \(context.now))
            ON CONFLICT (tenant_id) DO UPDATE SET monthly_token_limit = excluded.monthly_token_limit,
                monthly_cost_limit_usd = excluded.monthly_cost_limit_usd, max_concurrent_runs = excluded.max_concurrent_runs,
                requests_per_minute = excluded.requests_per_minute, updated_at = excluded.updated_at
            """)
    }

    /// The tenant's effective limits: its overrides, then its plan's.
    public func effectiveQuota(tenantID: String) async throws -> QuotaLimits {
        let own = try await context.database.first("SELECT * FROM tenant_quotas WHERE tenant_id = \(tenantID)").map(Self.limits)
        let plan = try await context.database.first(
            "SELECT p.* FROM plans p JOIN tenants t ON t.plan_id = p.id WHERE t.id = \(tenantID)"
        ).map(Self.limits)
        return (own ?? QuotaLimits()).overriding(plan ?? QuotaLimits())
    }

    static func limits(_ row: SQLRow) throws -> QuotaLimits {
        QuotaLimits(
            monthlyTokenLimit: try row.optionalInt64("monthly_token_limit").map { Int($0) },
            monthlyCostLimitUSD: try row.optionalString("monthly_cost_limit_usd").flatMap { Decimal(exactText: $0) },
            maxConcurrentRuns: try row.optionalInt64("max_concurrent_runs").map { Int($0) },
            requestsPerMinute: try row.optionalInt64("requests_per_minute").map { Int($0) })
    }
}
