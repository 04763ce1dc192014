import Foundation
import Hummingbird
import KimiSwarmClient
import KimiSwarmPlatform
import KimiSwarmCore
import KimiSwarmStore
import NIOCore
import Prometheus
import Synchronization

/// `/health` (the process answers), `/ready` (database reachable, migrations done, workers
/// running, providers' circuit states) and `/metrics` (Prometheus text).
///
/// `/metrics` names every tenant with its calls and spend, so it is not public: it answers the
/// metrics token (`KIMISWARM_METRICS_TOKEN`, for Prometheus) or a super admin's credential.
struct OperationsRoutes {
    let store: SwarmStore
    let client: LLMClient
    let registry: PrometheusCollectorRegistry
    let workers: Int
    let table: RouteTable
    let queueGauges: QueueGauges
    let authenticator: any Authenticator
    let metricsToken: Secret?

    func register(_ router: Router<AppRequestContext>, operations: APIOperations) {
        table.record(RouteInfo(method: .get, path: "/health", permission: nil))
        router.get("health") { _, _ in
            try JSONBody.response(["status": "ok"])
        }
        table.record(RouteInfo(method: .get, path: "/ready", permission: nil))
        router.get("ready") { _, _ in try await ready() }
        operations.add(.get, "/ready") { _, _ in try await ready() }
        table.record(RouteInfo(method: .get, path: "/metrics", permission: .metricsRead))
        router.get("metrics") { request, _ in
            try await authorizeMetrics(request)
            await queueGauges.refresh(store: store)
            var buffer: [UInt8] = []
            buffer.reserveCapacity(16 << 10)
            registry.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }

    /// Lets the metrics token or a super admin through; 401 without credentials, 403 for
    /// anyone else.
    private func authorizeMetrics(_ request: Request) async throws {
        let hint = "Send `Authorization: Bearer <token>` with the metrics token (KIMISWARM_METRICS_TOKEN) or a super admin's key."
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthenticated("`/metrics` needs credentials: it lists every tenant's usage", hint: hint)
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthenticated("the Authorization header must be `Bearer <token>`", hint: hint)
        }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.utf8.count <= 8192 else { throw APIError.unauthenticated("the bearer token is empty or too long", hint: hint) }
        if let metricsToken, WebForm.tokensMatch(token, metricsToken.reveal()) { return }
        guard let principal = try await authenticator.authenticate(bearer: token) else {
            throw APIError.unauthenticated("the bearer token is not the metrics token, an API key or a token this server accepts", hint: hint)
        }
        guard principal.allows(.metricsRead) else {
            throw APIError.forbidden(
                "your role (\(principal.role.rawValue)) may not do this (it needs \(Permission.metricsRead.rawValue))", hint: hint)
        }
    }

    private func ready() async throws -> Response {
        var checks: [String: JSONValue] = [:]
        var ready = true
        do {
            let pending = try await store.pendingMigrations()
            checks["database"] = ["status": "ok", "dialect": .string(store.dialect.rawValue)]
            if pending.isEmpty {
                checks["migrations"] = ["status": "ok"]
            } else {
                ready = false
                checks["migrations"] = ["status": "pending", "versions": .array(pending.map(JSONValue.int))]
            }
        } catch {
            ready = false
            checks["database"] = ["status": "unreachable"]
        }
        checks["workers"] = ["status": "ok", "count": .int(workers)]
        var providers: [String: JSONValue] = [:]
        for (provider, circuits) in client.circuitStates() {
            let open = circuits.values.contains("open")
            providers[provider.rawValue] = ["circuits": .object(circuits.mapValues(JSONValue.string)), "status": open ? "degraded" : "ok"]
        }
        checks["providers"] = .object(providers)
        let body: JSONValue = ["status": ready ? "ready" : "not_ready", "checks": .object(checks)]
        return try JSONBody.response(body, status: ready ? .ok : .serviceUnavailable)
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
