import Foundation
import Hummingbird
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmStore
import NIOCore
import Prometheus
import Synchronization

/// `/health` (the process answers), `/ready` (database reachable, migrations done, workers
/// running, providers' circuit states) and `/metrics` (Prometheus text).
struct OperationsRoutes {
    let store: SwarmStore
    let client: LLMClient
    let registry: PrometheusCollectorRegistry
    let workers: Int
    let table: RouteTable
    let queueGauges: QueueGauges

    func register(_ router: Router<AppRequestContext>) {
        table.record(RouteInfo(method: .get, path: "/health", permission: nil))
        router.get("health") { _, _ in
            try JSONBody.response(["status": "ok"])
        }
        table.record(RouteInfo(method: .get, path: "/ready", permission: nil))
        router.get("ready") { _, _ in try await ready() }
        table.record(RouteInfo(method: .get, path: "/metrics", permission: nil))
        router.get("metrics") { _, _ in
            await queueGauges.refresh(store: store)
            var buffer: [UInt8] = []
            buffer.reserveCapacity(16 << 10)
            registry.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }

    private func ready() async throws -> Response {
        var checks: [String: Any] = [:]
        var ready = true
        do {
            let pending = try await store.pendingMigrations()
            checks["database"] = ["status": "ok", "dialect": store.dialect.rawValue]
            if pending.isEmpty {
                checks["migrations"] = ["status": "ok"]
            } else {
                ready = false
                checks["migrations"] = ["status": "pending", "versions": pending]
            }
        } catch {
            ready = false
            checks["database"] = ["status": "unreachable"]
        }
        checks["workers"] = ["status": "ok", "count": workers]
        var providers: [String: Any] = [:]
        for (provider, circuits) in client.circuitStates() {
            let open = circuits.values.contains("open")
            providers[provider.rawValue] = ["circuits": circuits, "status": open ? "degraded" : "ok"]
        }
        checks["providers"] = providers
        return try RunRoutes.rawJSON(["status": ready ? "ready" : "not_ready", "checks": checks], status: ready ? .ok : .serviceUnavailable)
    }
}

/// Queue depth by status as gauges, refreshed when `/metrics` is scraped.
final class QueueGauges: Sendable {
    private let gauges: [JobStatus: Gauge]
    private let runGauges: Mutex<[String: Gauge]> = Mutex([:])

    init(registry: PrometheusCollectorRegistry) {
        var gauges: [JobStatus: Gauge] = [:]
        for status in JobStatus.allCases {
            gauges[status] = registry.makeGauge(
                descriptor: MetricNameDescriptor(namespace: "kimiswarm", metricName: "queue_jobs", unitName: "", helpText: "Jobs in the run queue by status"),
                labels: [("status", status.rawValue)])
        }
        self.gauges = gauges
    }

    func refresh(store: SwarmStore) async {
        guard let depth = try? await store.jobs.queueDepth(queue: RunJobPayload.queue) else { return }
        for (status, gauge) in gauges { gauge.set(Double(depth[status] ?? 0)) }
    }
}
