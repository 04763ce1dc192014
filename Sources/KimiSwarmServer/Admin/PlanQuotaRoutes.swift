import Foundation
import Hummingbird
import KimiSwarmStore

/// `/plans` (read by every role, written by the super admin) and `/quota`, the caller's
/// tenant's limits.
///
/// `PUT /quota` sets the tenant's overrides of its plan (a `null` or missing limit takes the
/// plan's). A super admin may set any value; a tenant admin may only *lower* limits: each
/// override must be at most the plan's value (any value when the plan leaves it unlimited),
/// else 403. Moving a tenant to another plan is the super admin's `PUT /tenants/{id}/plan`.
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
            let overrides = body.limits
            if !principal.isSuperAdmin {
                let plan = try await planOf(principal.tenantID)?.limits ?? QuotaLimits()
                if let field = Self.firstRaise(overrides, over: plan) {
                    throw APIError.forbidden(
                        "`\(field)` would raise a limit above your plan's", hint: "Only a super admin may raise limits; ask for another plan.")
                }
            }
            if overrides == QuotaLimits() {
                try await store.quotas.clearQuota(tenantID: principal.tenantID)
            } else {
                try await store.quotas.setQuota(tenantID: principal.tenantID, limits: overrides)
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
    var overrides: LimitsDTO?
    var effective: LimitsDTO
    var usage: Use

    enum CodingKeys: String, CodingKey {
        case plan, overrides, effective, usage
        case tenantID = "tenant_id"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tenantID, forKey: .tenantID)
        try container.encode(plan, forKey: .plan)
        try container.encode(overrides, forKey: .overrides)
        try container.encode(effective, forKey: .effective)
        try container.encode(usage, forKey: .usage)
    }
}
