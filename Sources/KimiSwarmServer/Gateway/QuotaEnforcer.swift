import Foundation
import KimiSwarmCore
import KimiSwarmStore
import Synchronization

/// Checks a tenant's limits before each gateway call, in memory (per replica):
///
/// - requests per minute of the tenant, and of each API key, as token buckets that refill
///   continuously (a burst of up to one minute's worth, then `requests_per_minute / 60` a second);
/// - tokens per UTC day, tokens and cost per UTC month, against totals loaded from the usage
///   rollups once and then kept current from the calls this replica records (reloaded every
///   ``totalsTTL`` so that other replicas' calls count too).
///
/// The tenant's effective limits are cached for ``limitsTTL``. State is one small map under a
/// lock held for microseconds; loading one tenant's limits never holds it, so a tenant that is
/// over its limits (or whose limits are loading) never slows another.
final class QuotaEnforcer: Sendable {
    private struct TenantState {
        var limits: QuotaLimits
        var limitsLoaded: ContinuousClock.Instant
        var bucket: TokenBucket?
        /// The UTC day and month the totals below are for.
        var day: String
        var month: String
        var dayTokens: Int
        var monthTokens: Int
        var monthCost: Decimal
        var totalsLoaded: ContinuousClock.Instant
    }

    private let store: SwarmStore
    private let now: @Sendable () -> Date
    private let tenants = Mutex<[String: TenantState]>([:])
    private let keyBuckets = Mutex<[String: TokenBucket]>([:])
    /// How long a tenant's effective limits are reused.
    let limitsTTL: Duration
    /// How long usage totals are kept current in memory before being reloaded.
    let totalsTTL: Duration

    init(store: SwarmStore, limitsTTL: Duration = .seconds(30), totalsTTL: Duration = .seconds(300), now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.limitsTTL = limitsTTL
        self.totalsTTL = totalsTTL
        self.now = now
    }

    /// Takes one request from the tenant's and the key's rate; throws a 429 ``APIError`` when
    /// either is used up. Checks the token and cost budgets too when `budgets` is set.
    func admit(_ principal: Principal, budgets: Bool) async throws {
        let tenantID = principal.tenantID
        try await ensureLoaded(tenantID)
        let clock = ContinuousClock.now
        let date = now()
        let (day, month) = Self.period(date)
        let verdict: APIError? = tenants.withLock { tenants -> APIError? in
            guard var state = tenants[tenantID] else { return nil }
            defer { tenants[tenantID] = state }
            if budgets {
                if state.day != day {
                    state.day = day
                    state.dayTokens = 0
                }
                if state.month != month {
                    state.month = month
                    state.monthTokens = 0
                    state.monthCost = 0
                }
                if let limit = state.limits.dailyTokenLimit, state.dayTokens >= limit {
                    return .limited(
                        type: "quota_exceeded", "the tenant's daily token limit (\(limit) tokens per UTC day) is used up",
                        retryAfter: Self.secondsToNextDay(date), hint: "Wait for the next UTC day, or ask an admin to raise the daily token limit.")
                }
                if let limit = state.limits.monthlyTokenLimit, state.monthTokens >= limit {
                    return .limited(
                        type: "quota_exceeded", "the tenant's monthly token limit (\(limit) tokens) is used up",
                        retryAfter: Self.secondsToNextMonth(date), hint: "Wait for the next month, or ask an admin to raise the monthly token limit.")
                }
                if let limit = state.limits.monthlyCostLimitUSD, state.monthCost >= limit {
                    return .limited(
                        type: "quota_exceeded", "the tenant's monthly cost budget (\(limit) USD) is used up",
                        retryAfter: Self.secondsToNextMonth(date), hint: "Wait for the next month, or ask an admin to raise the monthly budget.")
                }
            }
            guard let rate = state.limits.requestsPerMinute else { return nil }
            var bucket = state.bucket ?? TokenBucket(perMinute: rate, at: clock)
            bucket.resize(perMinute: rate)
            defer { state.bucket = bucket }
            if let wait = bucket.take(at: clock) {
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
            var bucket = buckets[keyID] ?? TokenBucket(perMinute: rate, at: clock)
            bucket.resize(perMinute: rate)
            defer { buckets[keyID] = bucket }
            return bucket.take(at: clock)
        }
        if let wait {
            throw APIError.limited("this API key's rate limit (\(rate) requests per minute) is exceeded", retryAfter: wait)
        }
    }

    /// Counts a recorded call against the tenant's daily and monthly totals.
    func consumed(tenantID: String, tokens: Int, costUSD: Decimal) {
        tenants.withLock { tenants in
            guard var state = tenants[tenantID] else { return }
            state.dayTokens += tokens
            state.monthTokens += tokens
            state.monthCost += costUSD
            tenants[tenantID] = state
        }
    }

    /// Forgets every tenant's cached limits (after a plan changed on this replica).
    func invalidateAll() {
        tenants.withLock { $0.removeAll() }
    }

    /// Forgets a tenant's cached limits (after an admin changed them on this replica).
    func invalidate(tenantID: String) {
        _ = tenants.withLock { $0.removeValue(forKey: tenantID) }
    }

    /// Loads the tenant's limits and totals when missing or stale. Runs outside the lock.
    private func ensureLoaded(_ tenantID: String) async throws {
        let clock = ContinuousClock.now
        let (needLimits, needTotals) = tenants.withLock { tenants -> (Bool, Bool) in
            guard let state = tenants[tenantID] else { return (true, true) }
            return (clock - state.limitsLoaded >= limitsTTL, clock - state.totalsLoaded >= totalsTTL)
        }
        guard needLimits || needTotals else { return }
        let limits = needLimits ? try await store.quotas.effectiveQuota(tenantID: tenantID) : nil
        var totals: (day: String, month: String, dayTokens: Int, monthTokens: Int, monthCost: Decimal)?
        if needTotals {
            let (day, month) = Self.period(now())
            let rows = try await store.usage.rollups(tenantID: tenantID, fromDay: month + "-01", toDay: day)
            var value = (day: day, month: month, dayTokens: 0, monthTokens: 0, monthCost: Decimal(0))
            for row in rows {
                let tokens = row.usage.promptTokens + row.usage.completionTokens
                value.monthTokens += tokens
                value.monthCost += row.costUSD
                if row.key.day == day { value.dayTokens += tokens }
            }
            totals = value
        }
        let loaded = ContinuousClock.now
        tenants.withLock { tenants in
            var state = tenants[tenantID] ?? TenantState(
                limits: QuotaLimits(), limitsLoaded: loaded, bucket: nil, day: "", month: "", dayTokens: 0, monthTokens: 0, monthCost: 0,
                totalsLoaded: loaded)
            if let limits {
                state.limits = limits
                state.limitsLoaded = loaded
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

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// `("2026-12-03", "2026-12")` in UTC.
    static func period(_ date: Date) -> (day: String, month: String) {
        let parts = utc.dateComponents([.year, .month, .day], from: date)
        let month = String(format: "%04ld-%02ld", parts.year ?? 1970, parts.month ?? 1)
        return (month + String(format: "-%02ld", parts.day ?? 1), month)
    }

    static func secondsToNextDay(_ date: Date) -> Double {
        let start = utc.startOfDay(for: date)
        let next = utc.date(byAdding: .day, value: 1, to: start) ?? date.addingTimeInterval(86_400)
        return next.timeIntervalSince(date)
    }

    static func secondsToNextMonth(_ date: Date) -> Double {
        let start = utc.date(from: utc.dateComponents([.year, .month], from: date)) ?? date
        let next = utc.date(byAdding: .month, value: 1, to: start) ?? date.addingTimeInterval(31 * 86_400)
        return next.timeIntervalSince(date)
    }
}
