import Foundation
package import KimiSwarmClient
package import KimiSwarmCore
import KimiSwarmStore

/// Bills gateway calls: the exact cost from the client's prices, a ledger row queued on the
/// ``UsageRecorder`` (written in the background) and the tenant's in-memory totals that the
/// ``QuotaEnforcer`` checks. Never waits on the database.
package struct GatewayMeter: Sendable {
    package let client: LLMClient
    package let recorder: UsageRecorder
    package let quotas: QuotaEnforcer
    package let metrics: TenantUsageMetrics

    package init(client: LLMClient, recorder: UsageRecorder, quotas: QuotaEnforcer, metrics: TenantUsageMetrics) {
        self.client = client
        self.recorder = recorder
        self.quotas = quotas
        self.metrics = metrics
    }

    /// Records one call of `principal`.
    package func bill(
        _ principal: Principal, provider: ProviderID, model: String, usage: Usage, started: ContinuousClock.Instant, cacheHit: Bool = false
    ) {
        let cost = client.cost(provider: provider, model: model, usage: usage) ?? 0
        let elapsed = ContinuousClock.now - started
        let milliseconds = Int(elapsed.components.seconds) * 1000 + Int(elapsed.components.attoseconds / 1_000_000_000_000_000)
        let record = UsageRecord(
            tenantID: principal.tenantID, userID: principal.userID, apiKeyID: principal.apiKeyID, provider: provider.rawValue,
            model: model, usage: usage, costUSD: cost, latencyMilliseconds: milliseconds, cacheHit: cacheHit)
        recorder.record(record)
        metrics.record(record)
        quotas.consumed(tenantID: principal.tenantID, tokens: usage.totalTokens, costUSD: cost)
    }
}
