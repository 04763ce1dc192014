import Foundation
import KimiSwarmCore
@testable import KimiSwarmPlatform
import KimiSwarmServer
import KimiSwarmStore
import NIOHTTP1
import Testing

@Suite("Operations routes")
struct OperationsTests {
    @Test("/health answers, /ready reports the database, migrations, workers and circuits, /metrics is Prometheus text", arguments: TestDatabase.available)
    func operations(database: TestDatabase) async throws {
        try await withTestServer(database) { server in
            let health = try await server.request(.GET, "/health")
            #expect(health.status == 200)
            #expect(health.json?["status"]?.stringValue == "ok")
            #expect(health.header("x-content-type-options") == "nosniff")
            #expect(health.header("x-request-id")?.isEmpty == false)

            let ready = try await server.request(.GET, "/ready")
            #expect(ready.status == 200)
            #expect(ready.json?["status"]?.stringValue == "ready")
            #expect(ready.json?["checks"]?["database"]?["dialect"]?.stringValue == database.rawValue)
            #expect(ready.json?["checks"]?["migrations"]?["status"]?.stringValue == "ok")
            #expect(ready.json?["checks"]?["providers"]?["moonshot"] != nil)

            // /metrics names every tenant's usage: not public. A super admin's key works, and so
            // does the metrics token (below); anyone else is refused.
            #expect(try await server.request(.GET, "/metrics").status == 401)
            let (_, tenantAdmin) = try await server.tenant(role: .tenantAdmin)
            let refused = try await server.request(.GET, "/metrics", key: tenantAdmin)
            #expect(refused.status == 403 && !refused.body.contains("kimiswarm_"))
            #expect(try await server.request(.GET, "/metrics", key: "not-the-token-\(UUID())").status == 401)
            let metrics = try await server.request(.GET, "/metrics", key: server.adminKey)
            #expect(metrics.status == 200)
            #expect(metrics.body.contains("kimiswarm_http_requests_total{method=\"GET\",route=\"/ready\",status=\"200\"} 1"))
            #expect(metrics.body.contains("kimiswarm_queue_jobs"))
        }
    }

    @Test("errors have one body: type, message, hint, request_id; unknown routes are 404 and odd paths 400")
    func errorBody() async throws {
        try await withTestServer(.sqlite) { server in
            let missing = try await server.request(.GET, "/nope", headers: ["X-Request-ID": "abc-123"])
            #expect(missing.status == 404)
            #expect(missing.errorType == "not_found")
            #expect(missing.json?["error"]?["request_id"]?.stringValue == "abc-123")
            #expect(missing.json?["error"]?["hint"]?.stringValue != nil)

            for path in ["/api/v1//runs", "/api/v1/runs/%2e%2e/x", "/api/v1/./runs", "/api/v1/runs/..%2Fx"] {
                let odd = try await server.request(.GET, path, key: server.adminKey)
                #expect(odd.status == 400, "\(path)")
            }
            let upper = try await server.request(.GET, "/API/V1/RUNS", key: server.adminKey)
            #expect(upper.status == 404)
        }
    }
}
