import Foundation
import KimiSwarmCore
public import KimiSwarmStore
public import Prometheus
import Synchronization

/// Per-tenant usage as Prometheus counters (`kimiswarm_tenant_calls_total`,
/// `kimiswarm_tenant_tokens_total{kind}`, `kimiswarm_tenant_cost_usd_total`) from gateway
/// calls and run calls alike, and finished runs by status (`kimiswarm_runs_finished_total`).
/// Label cardinality is bounded: the first ``maxTenants`` tenants seen get their own label,
/// the rest are counted under `tenant="other"`.
public final class TenantUsageMetrics: Sendable {
    private struct Instruments {
        var calls: Counter
        var prompt: Counter
        var completion: Counter
        var cost: Counter
    }

    private let registry: PrometheusCollectorRegistry
    /// The most tenants with a label of their own.
    public let maxTenants: Int
    private let instruments = Mutex<[String: Instruments]>([:])
    private let runs = Mutex<[String: Counter]>([:])

    public init(registry: PrometheusCollectorRegistry, maxTenants: Int = 100) {
        self.registry = registry
        self.maxTenants = maxTenants
    }

    /// Counts one model call.
    public func record(_ record: UsageRecord) {
        let set = instruments.withLock { instruments -> Instruments in
            let label = instruments[record.tenantID] != nil || instruments.count < maxTenants ? record.tenantID : "other"
            if let existing = instruments[label] { return existing }
            func counter(_ name: String, _ unit: String, _ help: String, _ extra: [(String, String)] = []) -> Counter {
                registry.makeCounter(
                    descriptor: MetricNameDescriptor(namespace: "kimiswarm", metricName: name, unitName: unit, helpText: help),
                    labels: [("tenant", label)] + extra)
            }
            let made = Instruments(
                calls: counter("tenant_calls", "total", "Model calls per tenant (gateway and runs)"),
                prompt: counter("tenant_tokens", "total", "Tokens per tenant", [("kind", "prompt")]),
                completion: counter("tenant_tokens", "total", "Tokens per tenant", [("kind", "completion")]),
                cost: counter("tenant_cost_usd", "total", "Cost in US dollars per tenant"))
            instruments[label] = made
            return made
        }
        set.calls.increment()
        set.prompt.increment(by: Int64(record.usage.promptTokens))
        set.completion.increment(by: Int64(record.usage.completionTokens))
        set.cost.increment(by: NSDecimalNumber(decimal: record.costUSD).doubleValue)
    }

    /// Counts a run that ended with `status`.
    public func runFinished(status: String) {
        let counter = runs.withLock { runs -> Counter in
            if let counter = runs[status] { return counter }
            let counter = registry.makeCounter(
                descriptor: MetricNameDescriptor(
                    namespace: "kimiswarm", metricName: "runs_finished", unitName: "total", helpText: "Runs that ended, by status"),
                labels: [("status", status)])
            runs[status] = counter
            return counter
        }
        counter.increment()
    }
}
