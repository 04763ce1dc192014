package import Foundation
package import KimiSwarmClient
package import KimiSwarmCore
package import KimiSwarmStore

/// Who a model call is billed to, handed over where the call is made.
package struct UsageAttribution: Sendable, Hashable {
    package var tenantID: String
    package var userID: String?
    package var apiKeyID: String?
    /// The run, for a run's calls.
    package var runID: String?
    /// The run's swarm (or `planner`/`graph`), which usage is grouped by as its template.
    package var templateID: String?

    package init(tenantID: String, userID: String? = nil, apiKeyID: String? = nil, runID: String? = nil, templateID: String? = nil) {
        self.tenantID = tenantID
        self.userID = userID
        self.apiKeyID = apiKeyID
        self.runID = runID
        self.templateID = templateID
    }

    /// A gateway call of `principal`.
    package init(_ principal: Principal) {
        self.init(tenantID: principal.tenantID, userID: principal.userID, apiKeyID: principal.apiKeyID)
    }
}

/// The one usage meter of the gateway and of runs: each call it hears of becomes a ledger row
/// (queued on the ``UsageRecorder``, written in batches in the background and on shutdown),
/// counts in the tenant's Prometheus series and in the tenant's quota totals (``QuotaEnforcer``).
/// A call the response cache answered is recorded with cost 0, `cache_hit` and, as its saving,
/// what it would have cost. Never waits on the database.
package final class UsageMeter: Sendable {
    /// Prices usage (the server's registry).
    package let client: LLMClient
    package let recorder: UsageRecorder
    package let quotas: QuotaEnforcer?
    package let metrics: TenantUsageMetrics?
    /// Latencies are measured on it.
    package let clock: any SwarmClock

    package init(
        client: LLMClient, recorder: UsageRecorder, quotas: QuotaEnforcer?, metrics: TenantUsageMetrics?, clock: any SwarmClock = SystemClock()
    ) {
        self.client = client
        self.clock = clock
        self.recorder = recorder
        self.quotas = quotas
        self.metrics = metrics
    }

    /// The instant latencies are measured from.
    package var now: Duration { clock.now() }

    /// Records one call whose list price is `price` (computed once, by the caller or here from
    /// the registry when `nil`); returns the row, whose cost is what the call really cost.
    @discardableResult
    package func record(
        _ attribution: UsageAttribution, agentID: String? = nil, provider: ProviderID, model: String, usage: Usage, price: Decimal? = nil,
        cacheHit: Bool, started: Duration
    ) -> UsageRecord {
        let listPrice = price ?? client.cost(provider: provider, model: model, usage: usage) ?? 0
        let record = UsageRecord(
            tenantID: attribution.tenantID, userID: attribution.userID, apiKeyID: attribution.apiKeyID, runID: attribution.runID,
            agentID: agentID, templateID: attribution.templateID, provider: provider.rawValue, model: model, usage: usage,
            costUSD: cacheHit ? 0 : listPrice, savedUSD: cacheHit ? listPrice : 0,
            latencyMilliseconds: Self.milliseconds(clock.now() - started), cacheHit: cacheHit)
        recorder.record(record)
        metrics?.record(record)
        quotas?.consumed(tenantID: record.tenantID, tokens: usage.promptTokens + usage.completionTokens, costUSD: record.costUSD)
        return record
    }

    /// A gateway call of `principal`.
    package func bill(
        _ principal: Principal, provider: ProviderID, model: String, usage: Usage, started: Duration, cacheHit: Bool = false
    ) {
        record(UsageAttribution(principal), provider: provider, model: model, usage: usage, cacheHit: cacheHit, started: started)
    }

    /// Writes every queued record now.
    package func flush() async { await recorder.flush() }

    static func milliseconds(_ elapsed: Duration) -> Int {
        Int(elapsed.components.seconds) * 1000 + Int(elapsed.components.attoseconds / 1_000_000_000_000_000)
    }
}
