package import Foundation
import KimiSwarmClient
package import KimiSwarmCore
package import KimiSwarmEngine
package import KimiSwarmStore
import Synchronization

/// Checks a tenant's limits, in memory (per replica):
///
/// - requests per minute of the tenant, and of each API key, as token buckets that refill
///   continuously (a burst of up to one minute's worth, then `requests_per_minute / 60` a second);
/// - tokens per UTC day, tokens and cost per UTC month, against totals loaded from the usage
///   rollups once and then kept current from the calls this replica records (reloaded every
///   ``totalsTTL`` so that other replicas' calls count too);
/// - and, so that parallel calls and runs cannot overshoot those budgets together, the
///   reservations of every model call in flight: a call (a gateway call, or any call of any
///   run) starts only while what is spent plus what calls in flight reserved is below each
///   budget, and holds its maximum until its cost is recorded. Spend stays within the quota
///   plus one call per call in flight.
///
/// The tenant's effective limits are cached for ``limitsTTL``. State is one small map under a
/// lock held for microseconds; loading one tenant's limits never holds it, so a tenant that is
/// over its limits (or whose limits are loading) never slows another.
package final class QuotaEnforcer: Sendable {
    private struct TenantState {
        var limits: QuotaLimits
        var limitsLoaded: Duration
        /// Set when an admin changed the limits on this replica: reloaded on next use.
        var limitsStale = false
        var bucket: TokenBucket?
        /// The UTC day and month the totals below are for.
        var day: String
        var month: String
        var dayTokens: Int
        var monthTokens: Int
        var monthCost: Decimal
        var totalsLoaded: Duration
        /// What the calls in flight reserved, and which reservations are live.
        var reservedCost: Decimal = 0
        var reservedTokens = 0
        var live: Set<UInt64> = []

        /// Starts a new day or month (its totals from zero) when `date` is in one.
        mutating func roll(to date: Date) {
            let period = QuotaPeriod(containing: date)
            let (day, month) = (period.day, period.month)
            if self.day != day {
                self.day = day
                dayTokens = 0
            }
            if self.month != month {
                self.month = month
                monthTokens = 0
                monthCost = 0
            }
        }

        /// The first budget (day's tokens, month's tokens, month's cost) that spend plus
        /// reservations have reached, if any.
        func exhausted(at date: Date) -> (limit: String, message: String, hint: String, retryAfter: Double)? {
            if let limit = limits.dailyTokenLimit, QuotaPeriod.remaining(of: limit, spent: dayTokens, reserved: reservedTokens) <= 0 {
                return (
                    "daily_token_limit", "the tenant's daily token limit (\(limit) tokens per UTC day) is used up\(inFlight)",
                    "Wait for the next UTC day, or ask an admin to raise the daily token limit.", QuotaPeriod.secondsToNextDay(date)
                )
            }
            if let limit = limits.monthlyTokenLimit, QuotaPeriod.remaining(of: limit, spent: monthTokens, reserved: reservedTokens) <= 0 {
                return (
                    "monthly_token_limit", "the tenant's monthly token limit (\(limit) tokens) is used up\(inFlight)",
                    "Wait for the next month, or ask an admin to raise the monthly token limit.", QuotaPeriod.secondsToNextMonth(date)
                )
            }
            if let limit = limits.monthlyCostLimitUSD, QuotaPeriod.remaining(of: limit, spent: monthCost, reserved: reservedCost) <= 0 {
                return (
                    "monthly_cost_limit_usd", "the tenant's monthly cost budget (\(limit) USD) is used up\(inFlight)",
                    "Wait for the next month, or ask an admin to raise the monthly budget.", QuotaPeriod.secondsToNextMonth(date)
                )
            }
            return nil
        }

        private var inFlight: String {
            live.isEmpty ? "" : " (counting what the \(live.count) call\(live.count == 1 ? "" : "s") in flight may spend)"
        }
    }

    private let store: SwarmStore
    /// What quotas read the time from: rate buckets and cache ages (``SwarmClock/now()``),
    /// quota periods (``SwarmClock/date()``).
    package let clock: any SwarmClock
    private let tenants = Mutex<[String: TenantState]>([:])
    private let keyBuckets = Mutex<[String: TokenBucket]>([:])
    private let nextReservation = Mutex<UInt64>(1)
    /// How long a tenant's effective limits are reused.
    package let limitsTTL: Duration
    /// How long usage totals are kept current in memory before being reloaded.
    package let totalsTTL: Duration

    package init(store: SwarmStore, limitsTTL: Duration = .seconds(30), totalsTTL: Duration = .seconds(300), clock: any SwarmClock = SystemClock()) {
        self.store = store
        self.limitsTTL = limitsTTL
        self.totalsTTL = totalsTTL
        self.clock = clock
    }

    /// Takes one request from the tenant's and the key's rate; throws a 429 ``PlatformError`` when
    /// either is used up. Checks the token and cost budgets too (spend plus the reservations of
    /// calls in flight) when `budgets` is set.
    package func admit(_ principal: Principal, budgets: Bool) async throws {
        let tenantID = principal.tenantID
        try await ensureLoaded(tenantID)
        let instant = clock.now()
        let date = clock.date()
        let verdict: PlatformError? = tenants.withLock { tenants -> PlatformError? in
            guard var state = tenants[tenantID] else { return nil }
            defer { tenants[tenantID] = state }
            if budgets {
                state.roll(to: date)
                if let reached = state.exhausted(at: date) {
                    return .limited(type: "quota_exceeded", reached.message, retryAfter: reached.retryAfter, hint: reached.hint)
                }
            }
            guard let rate = state.limits.requestsPerMinute else { return nil }
            var bucket = Self.bucket(state.bucket, perMinute: rate, now: instant)
            defer { state.bucket = bucket }
            if let wait = Self.take(&bucket, now: instant) {
                return .limited(
                    "the tenant's rate limit (\(rate) requests per minute) is exceeded", retryAfter: wait,
                    hint: "Slow down; retry after the time in Retry-After, or ask an admin to raise requests_per_minute.")
            }
            return nil
        }
        if let verdict { throw verdict }
        guard let keyID = principal.apiKeyID, let rate = tenants.withLock({ $0[tenantID]?.limits.requestsPerMinute }) else { return }
        let wait = keyBuckets.withLock { buckets -> Double? in
            if buckets.count > 100_000 { buckets.removeAll() }
            var bucket = Self.bucket(buckets[keyID], perMinute: rate, now: instant)
            defer { buckets[keyID] = bucket }
            return Self.take(&bucket, now: instant)
        }
        if let wait {
            throw PlatformError.limited("this API key's rate limit (\(rate) requests per minute) is exceeded", retryAfter: wait)
        }
    }

    /// `existing` (a new full one if none) at `perMinute` requests a minute: up to a minute's
    /// worth held, refilled continuously; a changed limit keeps no more than the new capacity.
    static func bucket(_ existing: TokenBucket?, perMinute: Int, now: Duration) -> TokenBucket {
        let count = max(1, perMinute)
        guard let existing else { return TokenBucket(count: count, per: .seconds(60), now: now) }
        return existing.capacity == Double(count) ? existing : existing.resized(count: count, per: .seconds(60), now: now)
    }

    /// Takes one request from `bucket`: `nil` when granted, else the seconds until one is there.
    static func take(_ bucket: inout TokenBucket, now: Duration) -> Double? {
        if bucket.consume(1, now: now) { return nil }
        let wait = bucket.timeUntilAvailable(1, now: now).components
        return Double(wait.seconds) + Double(wait.attoseconds) / 1e18
    }

    /// Reserves one model call's maximum cost and tokens against the tenant's budgets: refused
    /// (with the budget's name) when spend plus every reservation in flight already reached a
    /// budget, unless `force` (a run's synthesis, whose share was reserved when it started).
    /// ``finish(tenantID:_:)`` drops it once the call's real cost is recorded (``consumed(tenantID:tokens:costUSD:)``).
    package func reserve(tenantID: String, costUSD: Decimal, tokens: Int, force: Bool) async throws(BudgetLedger.LimitReached)
        -> SharedBudgetReservation
    {
        do {
            try await ensureLoaded(tenantID)
        } catch {
            throw BudgetLedger.LimitReached(
                limit: "tenant_quota", message: "the tenant's quota could not be checked (the database did not answer)")
        }
        let id = nextReservation.withLock { next -> UInt64 in
            defer { next += 1 }
            return next
        }
        let reservation = SharedBudgetReservation(id: id, costUSD: max(0, costUSD), tokens: max(0, tokens))
        let date = clock.date()
        try tenants.withLock { tenants throws(BudgetLedger.LimitReached) in
            guard var state = tenants[tenantID] else { return }
            state.roll(to: date)
            if !force, let reached = state.exhausted(at: date) {
                tenants[tenantID] = state
                throw BudgetLedger.LimitReached(limit: reached.limit, message: reached.message)
            }
            state.reservedCost += reservation.costUSD
            state.reservedTokens += reservation.tokens
            state.live.insert(reservation.id)
            tenants[tenantID] = state
        }
        return reservation
    }

    /// Drops a reservation (the call's cost was recorded, or it never ran); twice is harmless.
    package func finish(tenantID: String, _ reservation: SharedBudgetReservation) {
        tenants.withLock { tenants in
            guard var state = tenants[tenantID], state.live.remove(reservation.id) != nil else { return }
            state.reservedCost -= reservation.costUSD
            state.reservedTokens -= reservation.tokens
            tenants[tenantID] = state
        }
    }

    /// What the tenant's calls in flight on this replica reserved.
    package func reserved(tenantID: String) -> (costUSD: Decimal, tokens: Int) {
        tenants.withLock { tenants in (tenants[tenantID]?.reservedCost ?? 0, tenants[tenantID]?.reservedTokens ?? 0) }
    }

    /// Throws a 429 `quota_exceeded` when the tenant's day or month budget is already used up
    /// (spend plus reservations), for a worker about to start (or resume) a run.
    package func checkBudgets(tenantID: String) async throws {
        try await ensureLoaded(tenantID)
        let date = clock.date()
        let reached = tenants.withLock { tenants -> (limit: String, message: String, hint: String, retryAfter: Double)? in
            guard var state = tenants[tenantID] else { return nil }
            state.roll(to: date)
            tenants[tenantID] = state
            return state.exhausted(at: date)
        }
        if let reached { throw PlatformError.limited(type: "quota_exceeded", reached.message, retryAfter: reached.retryAfter, hint: reached.hint) }
    }

    /// Counts a recorded call against the tenant's daily and monthly totals.
    package func consumed(tenantID: String, tokens: Int, costUSD: Decimal) {
        tenants.withLock { tenants in
            guard var state = tenants[tenantID] else { return }
            state.dayTokens += tokens
            state.monthTokens += tokens
            state.monthCost += costUSD
            tenants[tenantID] = state
        }
    }

    /// Reloads every tenant's limits on next use (after a plan changed on this replica); the
    /// reservations of calls in flight stay.
    package func invalidateAll() {
        tenants.withLock { tenants in
            for id in tenants.keys { tenants[id]?.limitsStale = true }
        }
    }

    /// Reloads a tenant's limits on next use (after an admin changed them on this replica).
    package func invalidate(tenantID: String) {
        tenants.withLock { $0[tenantID]?.limitsStale = true }
    }

    /// Loads the tenant's limits and totals when missing or stale. Runs outside the lock.
    private func ensureLoaded(_ tenantID: String) async throws {
        let instant = clock.now()
        let (needLimits, needTotals) = tenants.withLock { tenants -> (Bool, Bool) in
            guard let state = tenants[tenantID] else { return (true, true) }
            return (state.limitsStale || instant - state.limitsLoaded >= limitsTTL, instant - state.totalsLoaded >= totalsTTL)
        }
        guard needLimits || needTotals else { return }
        let limits = needLimits ? try await store.quotas.effectiveQuota(tenantID: tenantID) : nil
        var totals: (day: String, month: String, dayTokens: Int, monthTokens: Int, monthCost: Decimal)?
        if needTotals {
            let period = QuotaPeriod(containing: clock.date())
            let (day, month) = (period.day, period.month)
            let rows = try await store.usage.rollups(tenantID: tenantID, fromDay: period.firstDayOfMonth, toDay: day)
            var value = (day: day, month: month, dayTokens: 0, monthTokens: 0, monthCost: Decimal(0))
            for row in rows {
                let tokens = row.usage.promptTokens + row.usage.completionTokens
                value.monthTokens += tokens
                value.monthCost += row.costUSD
                if row.key.day == day { value.dayTokens += tokens }
            }
            totals = value
        }
        let loaded = clock.now()
        tenants.withLock { tenants in
            var state = tenants[tenantID] ?? TenantState(
                limits: QuotaLimits(), limitsLoaded: loaded, bucket: nil, day: "", month: "", dayTokens: 0, monthTokens: 0, monthCost: 0,
                totalsLoaded: loaded)
            if let limits {
                state.limits = limits
                state.limitsLoaded = loaded
                state.limitsStale = false
            }
            if let totals {
                state.day = totals.day
                state.month = totals.month
                state.dayTokens = totals.dayTokens
                state.monthTokens = totals.monthTokens
                state.monthCost = totals.monthCost
                state.totalsLoaded = loaded
            }
            tenants[tenantID] = state
        }
    }
}
