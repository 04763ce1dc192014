package import Foundation
import KimiSwarmCore
package import KimiSwarmEngine
import Synchronization

/// A tenant's quota as the ``SharedBudget`` of its runs: every model call of every run of the
/// tenant reserves in the ``QuotaEnforcer`` as well as in its run's budget, so runs in
/// parallel stop together when the tenant's budget is spent (each synthesises what it has).
package struct TenantSpendGate: SharedBudget {
    package let quotas: QuotaEnforcer
    package let tenantID: String

    package func reserve(costUSD: Decimal, tokens: Int, force: Bool) async throws(BudgetLedger.LimitReached) -> SharedBudgetReservation {
        try await quotas.reserve(tenantID: tenantID, costUSD: costUSD, tokens: tokens, force: force)
    }

    package func finish(_ reservation: SharedBudgetReservation) {
        quotas.finish(tenantID: tenantID, reservation)
    }
}

/// One gateway call's reservation in its tenant's quota, held until the call is billed. It is
/// dropped by ``release()``, or at the latest when the last reference goes (a stream whose
/// body never ran, a request that failed), so no path leaks it.
package final class QuotaHold: Sendable {
    private let quotas: QuotaEnforcer
    private let tenantID: String
    private let reservation: SharedBudgetReservation
    private let released = Mutex(false)

    private init(quotas: QuotaEnforcer, tenantID: String, reservation: SharedBudgetReservation) {
        self.quotas = quotas
        self.tenantID = tenantID
        self.reservation = reservation
    }

    /// Reserves `costUSD` and `tokens` for `tenantID`; a 429 `quota_exceeded` when the tenant's
    /// budgets (spend plus the calls in flight) have nothing left.
    package static func reserve(_ quotas: QuotaEnforcer, tenantID: String, costUSD: Decimal, tokens: Int) async throws -> QuotaHold {
        do {
            let reservation = try await quotas.reserve(tenantID: tenantID, costUSD: costUSD, tokens: tokens, force: false)
            return QuotaHold(quotas: quotas, tenantID: tenantID, reservation: reservation)
        } catch {
            let now = quotas.clock.date()
            let wait = error.limit == "daily_token_limit" ? QuotaPeriod.secondsToNextDay(now) : QuotaPeriod.secondsToNextMonth(now)
            throw PlatformError.limited(
                type: "quota_exceeded", error.message, retryAfter: error.limit.hasPrefix("tenant_") ? 5 : wait,
                hint: "Calls in flight may free part of it when they finish; otherwise ask an admin to raise the tenant's limits.")
        }
    }

    /// Drops the reservation (after the call was billed); twice is harmless.
    package func release() {
        let first = released.withLock { released -> Bool in
            defer { released = true }
            return !released
        }
        if first { quotas.finish(tenantID: tenantID, reservation) }
    }

    deinit { release() }
}
