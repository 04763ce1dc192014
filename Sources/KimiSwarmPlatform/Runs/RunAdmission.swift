import Foundation
package import KimiSwarmCore
package import KimiSwarmEngine
package import KimiSwarmStore

/// The plan's limits on runs, checked before a run is queued: concurrent runs, sub-agents
/// per run, and the month's budget against the run's cost estimate (a run whose estimated
/// cost, or whose own `max_cost_usd`, is more than what is left is refused; one that fits is
/// capped at what is left, so its budget stops it there).
package struct RunAdmission: Sendable {
    package let store: SwarmStore
    package let factory: RunEngineFactory
    /// The factory's clock: quota periods are read from its date.
    package var clock: any SwarmClock { factory.clock }
    /// What calls in flight on this replica reserved counts as spent (their cost is not
    /// recorded yet); `nil` in tests of the arithmetic alone.
    package var quotas: QuotaEnforcer? = nil

    package init(store: SwarmStore, factory: RunEngineFactory, quotas: QuotaEnforcer? = nil) {
        self.store = store
        self.factory = factory
        self.quotas = quotas
    }

    package func admit(_ requested: RunSpec, principal: Principal, library: TemplateLibrary) async throws -> (RunSpec, RunEstimate) {
        let limits = try await store.quotas.effectiveQuota(tenantID: principal.tenantID)
        var spec = try Self.checked(requested, by: limits, library: library)
        if let maximum = limits.maxConcurrentRuns {
            let active = try await store.runs.activeRunCount(tenantID: principal.tenantID)
            if active >= maximum {
                throw PlatformError.limited(
                    type: "quota_exceeded", "the plan's concurrent runs limit (\(maximum)) is reached", retryAfter: 10,
                    hint: "Wait for a run to finish, cancel one, or move to a larger plan.")
            }
        }
        let estimate = factory.estimate(spec, library: library)
        if let budget = limits.monthlyCostLimitUSD {
            let date = clock.date()
            let period = QuotaPeriod(containing: date)
            let spent = try await store.usage.totals(tenantID: principal.tenantID, fromDay: period.firstDayOfMonth, toDay: period.day).costUSD
            let remaining = QuotaPeriod.remaining(
                of: budget, spent: spent, reserved: quotas?.reserved(tenantID: principal.tenantID).costUSD ?? 0)
            let retry = max(1, period.nextMonth.timeIntervalSince(date))
            if remaining <= 0 {
                throw PlatformError.limited(
                    type: "quota_exceeded", "the monthly budget ($\(budget)) is spent", retryAfter: retry,
                    hint: "It renews on \(period.renewalDay); or raise the tenant's budget.")
            }
            if estimate.expectedCostUSD > remaining {
                throw PlatformError.limited(
                    type: "quota_exceeded",
                    "the run's estimated cost ($\(estimate.expectedCostUSD)) is more than the $\(remaining) left of the monthly budget",
                    retryAfter: retry, hint: "Use fewer sub-agents or a smaller task, or raise the budget; it renews on \(period.renewalDay).")
            }
            if let asked = spec.limits.maxCostUSD, asked > remaining {
                throw PlatformError.limited(
                    type: "quota_exceeded", "`budgets.max_cost_usd` ($\(asked)) is more than the $\(remaining) left of the monthly budget",
                    retryAfter: retry, hint: "Ask for at most \(remaining), or raise the budget.")
            }
            // The run may never spend more than what is left.
            spec.limits.maxCostUSD = min(spec.limits.maxCostUSD ?? remaining, remaining)
        }
        return (spec, estimate)
    }

    /// The estimate of a run as it would be admitted: with the plan's caps applied (but no
    /// budget check), so an estimate never describes a run the plan would not allow.
    package func estimate(_ requested: RunSpec, principal: Principal, library: TemplateLibrary) async throws -> RunEstimate {
        let limits = try await store.quotas.effectiveQuota(tenantID: principal.tenantID)
        return factory.estimate(try Self.checked(requested, by: limits, library: library), library: library)
    }

    /// `requested` checked (``RunSpecValidation``) and within the plan's caps: the one
    /// validation every submission and estimate goes through.
    package static func checked(_ requested: RunSpec, by limits: QuotaLimits, library: TemplateLibrary) throws -> RunSpec {
        try RunSpecValidation.checkRequest(requested)
        let spec = try capped(requested, by: limits)
        try RunSpecValidation.checkPlan(spec, library: library)
        return spec
    }

    /// `requested` within the plan's sub-agents per run: a run that did not ask for a number
    /// gets the plan's; one that asked for more is refused (422). Whether the plan fits the
    /// result is ``RunSpecValidation/checkPlan(_:library:)``'s to say.
    package static func capped(_ requested: RunSpec, by limits: QuotaLimits) throws -> RunSpec {
        var spec = requested
        if let maximum = limits.maxSubAgentsPerRun {
            if spec.limits.maxSubAgents > maximum {
                if requested.limits.maxSubAgents == RunLimits().maxSubAgents {
                    spec.limits.maxSubAgents = maximum
                } else {
                    throw PlatformError(
                        .unprocessable, type: "quota_exceeded",
                        message: "`budgets.max_sub_agents` (\(spec.limits.maxSubAgents)) is above the plan's sub-agents per run (\(maximum))",
                        hint: "Ask for at most \(maximum), or move to a larger plan.", param: "budgets.max_sub_agents")
                }
            }
            spec.limits.concurrency = min(spec.limits.concurrency, spec.limits.maxSubAgents)
        }
        return spec
    }
}
