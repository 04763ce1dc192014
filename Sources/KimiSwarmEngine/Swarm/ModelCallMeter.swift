public import Foundation
public import KimiSwarmCore

/// Where a run makes a model call: the run, the journal step and the agent (a sub-agent's id,
/// `planner` or `synthesis`).
public struct ModelCallSite: Sendable, Hashable {
    public var runID: String
    public var stepID: String
    public var agentID: String

    public init(runID: String, stepID: String, agentID: String) {
        self.runID = runID
        self.stepID = stepID
        self.agentID = agentID
    }
}

/// A model call as metered: the response, what it cost (exactly; 0 when the response cache
/// answered) and whether the cache answered.
public struct MeteredResponse: Sendable {
    public var response: ChatResponse
    public var costUSD: Decimal
    public var cacheHit: Bool

    public init(response: ChatResponse, costUSD: Decimal, cacheHit: Bool = false) {
        self.response = response
        self.costUSD = costUSD
        self.cacheHit = cacheHit
    }
}

/// Meters each model call a run really makes: the engine hands it the call (where it is made,
/// and the call itself to run) and uses the cost it returns for the budget and the journal.
/// A step replayed from the journal (paid by an earlier execution) never reaches the meter, so
/// a resumed run is never billed twice. The platform's meter writes the usage ledger.
public protocol ModelCallMeter: Sendable {
    /// Runs `call` and returns its response with its cost (priced with `pricing`).
    func meter(_ site: ModelCallSite, pricing: any CallPricer, call: @Sendable () async throws -> ChatResponse) async throws
        -> MeteredResponse
}

/// The engine's default meter: prices each response, records nothing.
public struct PricedCalls: ModelCallMeter {
    public init() {}

    public func meter(_ site: ModelCallSite, pricing: any CallPricer, call: @Sendable () async throws -> ChatResponse) async throws
        -> MeteredResponse
    {
        let response = try await call()
        return MeteredResponse(response: response, costUSD: pricing.cost(of: response))
    }
}
