import Foundation
import Hummingbird
import KimiSwarmStore
import KimiSwarmPlatform

/// `/plans` (read by every role, written by the super admin) and `/quota`, the caller's
/// tenant's limits.
///
/// Limits come in three layers: the plan's; the super admin's overrides for the tenant (they
/// may raise or lower the plan's; together they are the tenant's *ceiling*); and the limits the
/// tenant's own admins set for themselves, which may only be at or below the ceiling. The
/// effective limit is the lower of the tenant's own and the ceiling. `PUT /quota` by a super
/// admin sets the overrides; by a tenant admin it sets the tenant's own limits (a value above
/// the ceiling is a 403, and `{}` clears only the tenant's own, never what a super admin set).
/// Moving a tenant to another plan is the super admin's `PUT /tenants/{id}/plan`.
struct PlanQuotaRoutes {
    let store: SwarmStore
    let quotas: QuotaEnforcer
    let now: @Sendable () -> Date

    struct PlanBody: Decodable {
        var name: String
        var limits: LimitsDTO?
        static let allowedKeys: Set<String> = ["name", "limits"]
    }

    func register(_ api: APIRoutes) {
        api.on(.get, "plans", .plansRead) { _, _, _ in
            try JSONBody.response(["data": try await store.quotas.listPlans().map(PlanDTO.init)])
        }
        api.on(.put, "plans/:plan_id", .plansManage) { request, context, _ in
            let id = try context.parameters.require("plan_id")
            try Admin.validateID(id, field: "plan_id")
            let body = try await Admin.body(PlanBody.self, request, context, allowedKeys: PlanBody.allowedKeys)
            try Admin.validateName(body.name)
            let existed = try await store.quotas.plan(id: id) != nil
            let plan = Plan(id: id, name: body.name, limits: body.limits?.limits ?? QuotaLimits())
            try await store.quotas.savePlan(plan)
            quotas.invalidateAll()
            return try JSONBody.response(PlanDTO(plan), status: existed ? .ok : .created)
        }
        api.on(.delete, "plans/:plan_id", .plansManage) { _, context, _ in
            let id = try Admin.identifier(context, "plan_id", what: "plan")
            try await store.quotas.deletePlan(id: id)
            quotas.invalidateAll()
            return Admin.noContent()
        }
        api.on(.get, "quota", .quotaRead) { _, _, principal in try await quota(principal) }
        api.on(.put, "quota", .quotaManage) { request, context, principal in
            let body = try await Admin.body(LimitsDTO.self, request, context, allowedKeys: LimitsDTO.allowedKeys)
            let limits = body.limits
            if principal.isSuperAdmin {
                if limits == QuotaLimits() {
                    try await store.quotas.clearQuota(tenantID: principal.tenantID)
                } else {
                    try await store.quotas.setQuota(tenantID: principal.tenantID, limits: limits)
                }
            } else {
                let ceiling = try await store.quotas.ceiling(tenantID: principal.tenantID)
                if let field = Self.firstRaise(limits, over: ceiling) {
                    throw APIError.forbidden(
                        "`\(field)` would be above the limit your plan and the super admin allow",
                        hint: "A tenant admin may only tighten limits; ask a super admin to raise them.")
                }
                if limits == QuotaLimits() {
                    try await store.quotas.clearOwnLimits(tenantID: principal.tenantID)
                } else {
                    try await store.quotas.setOwnLimits(tenantID: principal.tenantID, limits: limits)
                }
            }
            quotas.invalidate(tenantID: principal.tenantID)
            return try await quota(principal)
        }
    }

    private func planOf(_ tenantID: String) async throws -> Plan? {
        guard let planID = try await store.directory.tenant(tenantID: tenantID)?.planID else { return nil }
        return try await store.quotas.plan(id: planID)
    }

    private func quota(_ principal: Principal) async throws -> Response {
        let tenantID = principal.tenantID
        let today = UsageRollup.day(of: now())
        let day = try await store.usage.costSince(tenantID: tenantID, fromDay: today)
        let month = try await store.usage.costSince(tenantID: tenantID, fromDay: String(today.prefix(8)) + "01")
        return try JSONBody.response(
            QuotaDTO(
                tenantID: tenantID, plan: try await planOf(tenantID).map(PlanDTO.init),
                overrides: try await store.quotas.quotaOverrides(tenantID: tenantID).map(LimitsDTO.init),
                ownLimits: try await store.quotas.ownLimits(tenantID: tenantID).map(LimitsDTO.init),
                ceiling: LimitsDTO(try await store.quotas.ceiling(tenantID: tenantID)),
                effective: LimitsDTO(try await store.quotas.effectiveQuota(tenantID: tenantID)),
                usage: .init(
                    tokensToday: day.tokens, tokensThisMonth: month.tokens, costThisMonthUSD: Admin.money(month.costUSD),
                    activeRuns: try await store.runs.activeRunCount(tenantID: tenantID))))
    }

    /// The first override above the plan's value, by wire name; `nil` when none raises.
    static func firstRaise(_ overrides: QuotaLimits, over plan: QuotaLimits) -> String? {
        func raises<T: Comparable>(_ value: T?, _ limit: T?) -> Bool {
            guard let value, let limit else { return false }
            return value > limit
        }
        typealias Key = LimitsDTO.CodingKeys
        if raises(overrides.monthlyTokenLimit, plan.monthlyTokenLimit) { return Key.monthlyTokenLimit.rawValue }
        if raises(overrides.monthlyCostLimitUSD, plan.monthlyCostLimitUSD) { return Key.monthlyCostLimitUSD.rawValue }
        if raises(overrides.maxConcurrentRuns, plan.maxConcurrentRuns) { return Key.maxConcurrentRuns.rawValue }
        if raises(overrides.requestsPerMinute, plan.requestsPerMinute) { return Key.requestsPerMinute.rawValue }
        if raises(overrides.dailyTokenLimit, plan.dailyTokenLimit) { return Key.dailyTokenLimit.rawValue }
        if raises(overrides.maxSubAgentsPerRun, plan.maxSubAgentsPerRun) { return Key.maxSubAgentsPerRun.rawValue }
        return nil
    }
}

/// `GET /quota`'s body. Requests per minute are counted per replica, so current use leaves
/// them out.
struct QuotaDTO: Encodable {
    struct Use: Encodable {
        var tokensToday: Int
        var tokensThisMonth: Int
        var costThisMonthUSD: String
        var activeRuns: Int

        enum CodingKeys: String, CodingKey {
            case tokensToday = "tokens_today"
            case tokensThisMonth = "tokens_this_month"
            case costThisMonthUSD = "cost_this_month_usd"
            case activeRuns = "active_runs"
        }
    }

    var tenantID: String
    var plan: PlanDTO?
    /// What a super admin set for the tenant.
    var overrides: LimitsDTO?
    /// What the tenant's own admins set.
    var ownLimits: LimitsDTO?
    /// The overrides over the plan: the most the tenant's own admins may set.
    var ceiling: LimitsDTO
    var effective: LimitsDTO
    var usage: Use

    enum CodingKeys: String, CodingKey {
        case plan, overrides, ceiling, effective, usage
        case tenantID = "tenant_id"
        case ownLimits = "tenant_limits"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tenantID, forKey: .tenantID)
        try container.encode(plan, forKey: .plan)
        try container.encode(overrides, forKey: .overrides)
        try container.encode(ownLimits, forKey: .ownLimits)
        try container.encode(ceiling, forKey: .ceiling)
        try container.encode(effective, forKey: .effective)
        try container.encode(usage, forKey: .usage)
    }
}
