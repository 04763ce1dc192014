import KimiSwarmClient
package import KimiSwarmCore
package import KimiSwarmEngine
import KimiSwarmStore

/// The ``ModelCallMeter`` of one run: the engine hands it each model call the run really
/// makes (a step replayed from the journal never comes here, so a resumed run is not billed
/// twice), with the step and the agent; the call runs with the response cache's outcome
/// recorded, is priced once, and is recorded on the ``UsageMeter`` as it returns. The cost it
/// returns (0 for a cache hit) is what the run's budget and journal count.
package struct RunCallMeter: ModelCallMeter {
    package let meter: UsageMeter
    package let attribution: UsageAttribution

    package init(meter: UsageMeter, attribution: UsageAttribution) {
        self.meter = meter
        self.attribution = attribution
    }

    package func meter(_ site: ModelCallSite, pricing: any CallPricer, call: @Sendable () async throws -> ChatResponse) async throws
        -> MeteredResponse
    {
        let started = meter.now
        let (response, outcomes) = try await CacheLayer.withOutcome { try await call() }
        // The last lookup is the one that answered (earlier ones belong to fallbacks that failed).
        let hit = outcomes.last?.isHit ?? false
        let record = meter.record(
            attribution, agentID: site.agentID, provider: response.provider, model: response.model, usage: response.usage,
            price: pricing.cost(of: response), cacheHit: hit, started: started)
        return MeteredResponse(response: response, costUSD: record.costUSD, cacheHit: hit)
    }
}
