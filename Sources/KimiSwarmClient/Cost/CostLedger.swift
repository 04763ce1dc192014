public import Foundation
public import KimiSwarmCore
import Synchronization

/// Running totals of calls, tokens and cost, for the whole client and per provider and
/// model. Thread-safe; money is exact `Decimal`, never floating point.
///
/// ```swift
/// let ledger = CostLedger(calculator: CostCalculator(registry: registry))
/// ledger.record(response)
/// let snapshot = ledger.snapshot()
/// print(snapshot.total.cost, snapshot.byModel[RouteTarget(provider: .moonshot, model: "kimi-k2.6")]?.calls ?? 0)
/// ```
public final class CostLedger: Sendable {
    /// Prices calls.
    public let calculator: CostCalculator
    private let state = Mutex(CostSnapshot())

    /// Creates an empty ledger.
    public init(calculator: CostCalculator) {
        self.calculator = calculator
    }

    /// Records a finished call; returns its cost, or `nil` when the model's prices are unknown.
    @discardableResult
    public func record(_ response: ChatResponse) -> Decimal? {
        record(provider: response.provider, model: response.model, usage: response.usage)
    }

    /// Records a call's usage on a model; returns its cost, or `nil` when its prices are unknown.
    @discardableResult
    public func record(provider: ProviderID, model: String, usage: Usage) -> Decimal? {
        let cost = calculator.cost(provider: provider, model: model, usage: usage)
        let key = RouteTarget(provider: provider, model: model)
        state.withLock { snapshot in
            snapshot.total.add(usage, cost: cost)
            snapshot.byModel[key, default: CostTotals()].add(usage, cost: cost)
        }
        return cost
    }

    /// The totals so far.
    public func snapshot() -> CostSnapshot {
        state.withLock { $0 }
    }

    /// Clears every total.
    public func reset() {
        state.withLock { $0 = CostSnapshot() }
    }
}

/// A copy of a ``CostLedger``'s totals.
public struct CostSnapshot: Sendable, Hashable {
    /// Totals over every call.
    public var total = CostTotals()
    /// Totals per provider and model (the model id as the provider answered it).
    public var byModel: [RouteTarget: CostTotals] = [:]

    /// An empty snapshot.
    public init() {}

    /// Totals per provider, summed over its models.
    public var byProvider: [ProviderID: CostTotals] {
        var result: [ProviderID: CostTotals] = [:]
        for (target, totals) in byModel { result[target.provider, default: CostTotals()].add(totals) }
        return result
    }
}

/// Calls, tokens by kind and exact cost.
public struct CostTotals: Sendable, Hashable {
    /// Calls recorded.
    public var calls = 0
    /// Calls whose model's prices are unknown (their cost is not in ``cost``).
    public var unpricedCalls = 0
    /// Tokens of every kind, summed.
    public var usage = Usage.zero
    /// The exact cost in US dollars of the priced calls.
    public var cost = Decimal(0)

    /// Empty totals.
    public init() {}

    /// Adds one call.
    public mutating func add(_ callUsage: Usage, cost callCost: Decimal?) {
        calls += 1
        usage += callUsage
        if let callCost { cost += callCost } else { unpricedCalls += 1 }
    }

    /// Adds other totals.
    public mutating func add(_ other: CostTotals) {
        calls += other.calls
        unpricedCalls += other.unpricedCalls
        usage += other.usage
        cost += other.cost
    }
}
