public import Foundation
public import KimiSwarmCore
import Synchronization

/// Running statistics of one client's provider calls, for ``ClientMetricsSnapshot``s.
///
/// Independent of the process-wide metrics backend: `metrics()` works whether or not
/// Prometheus is bootstrapped. Money is exact decimal.
public final class ClientStatistics: Sendable {
    private struct State {
        var requests = 0
        var successes = 0
        var cancellations = 0
        var errorsByCategory: [KimiSwarmError.Category: Int] = [:]
        var latency = LatencyWindow()
        var timeToFirstToken = LatencyWindow()
        var usage = Usage.zero
        var cost: Decimal = 0
        var callsWithUnknownCost = 0
        var byModel: [String: ModelTotals] = [:]
    }

    private let state = Mutex(State())

    /// Creates empty statistics.
    public init() {}

    func recordSuccess(provider: ProviderID, model: String, latency: Duration, timeToFirstToken: Duration?, usage: Usage, cost: Decimal?) {
        state.withLock { state in
            state.requests += 1
            state.successes += 1
            state.latency.record(latency)
            if let timeToFirstToken { state.timeToFirstToken.record(timeToFirstToken) }
            state.usage += usage
            if let cost { state.cost += cost } else { state.callsWithUnknownCost += 1 }
            let key = "\(provider)/\(model)"
            var totals = state.byModel[key] ?? ModelTotals(provider: provider, model: model)
            totals.calls += 1
            totals.usage += usage
            if let cost { totals.cost += cost }
            state.byModel[key] = totals
        }
    }

    func recordFailure(category: KimiSwarmError.Category, latency: Duration) {
        state.withLock { state in
            state.requests += 1
            state.errorsByCategory[category, default: 0] += 1
            state.latency.record(latency)
        }
    }

    func recordCancellation() {
        state.withLock { state in
            state.requests += 1
            state.cancellations += 1
        }
    }

    /// The numbers so far; `cacheHitRate` is filled in by the client, which knows its cache.
    public func snapshot() -> ClientMetricsSnapshot {
        state.withLock { state in
            let latency = state.latency.percentiles([50, 95, 99])
            let firstToken = state.timeToFirstToken.percentiles([50, 95, 99])
            return ClientMetricsSnapshot(
                requests: state.requests, successes: state.successes, cancellations: state.cancellations,
                errorsByCategory: Dictionary(uniqueKeysWithValues: state.errorsByCategory.map { ($0.key.rawValue, $0.value) }),
                latencyP50: latency[0], latencyP95: latency[1], latencyP99: latency[2],
                timeToFirstTokenP50: firstToken[0], timeToFirstTokenP95: firstToken[1], timeToFirstTokenP99: firstToken[2],
                usage: state.usage, costUSD: state.cost, callsWithUnknownCost: state.callsWithUnknownCost,
                byModel: state.byModel.values.sorted { ($0.provider.rawValue, $0.model) < ($1.provider.rawValue, $1.model) },
                cacheHitRate: nil)
        }
    }
}

/// Calls, tokens and cost of one provider's model.
public struct ModelTotals: Sendable, Hashable, Codable {
    /// The provider.
    public var provider: ProviderID
    /// The model as the provider named it.
    public var model: String
    /// Successful calls.
    public var calls = 0
    /// Tokens used.
    public var usage = Usage.zero
    /// Exact cost in US dollars of the calls whose price is known.
    public var cost: Decimal = 0

    init(provider: ProviderID, model: String) {
        self.provider = provider
        self.model = model
    }
}

/// A snapshot of a client's calls: counts, latency percentiles, tokens, cost, cache hit rate.
public struct ClientMetricsSnapshot: Sendable, Hashable, Codable {
    /// Provider calls made (every attempt counts).
    public var requests: Int
    /// Calls that succeeded.
    public var successes: Int
    /// Calls cancelled by their caller.
    public var cancellations: Int
    /// Failed calls by error category.
    public var errorsByCategory: [String: Int]
    /// Median call latency over the recent window.
    public var latencyP50: Duration?
    /// 95th percentile call latency.
    public var latencyP95: Duration?
    /// 99th percentile call latency.
    public var latencyP99: Duration?
    /// Median time to the first streamed token.
    public var timeToFirstTokenP50: Duration?
    /// 95th percentile time to first token.
    public var timeToFirstTokenP95: Duration?
    /// 99th percentile time to first token.
    public var timeToFirstTokenP99: Duration?
    /// Tokens used by successful calls.
    public var usage: Usage
    /// Exact cost in US dollars of the calls whose price is known.
    public var costUSD: Decimal
    /// Successful calls whose model has no price in the registry.
    public var callsWithUnknownCost: Int
    /// Totals per provider and model.
    public var byModel: [ModelTotals]
    /// Cache hits over lookups, when the client has a cache.
    public var cacheHitRate: Double?
}
