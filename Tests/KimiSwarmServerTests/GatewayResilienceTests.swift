import Foundation
import KimiSwarmCore
@testable import KimiSwarmPlatform
import KimiSwarmServer
import KimiSwarmStore
import KimiSwarmTesting
import NIOHTTP1
import Testing

@Suite("Gateway: upstream throttling and the resilience series on /metrics")
struct GatewayResilienceTests {
    static let hello = #"{"model":"kimi-k2.6","messages":[{"role":"user","content":"hello gateway"}]}"#

    @Test("an upstream 429 reaches the caller as a 429 with Retry-After and KimiSwarm's own words of why", arguments: TestDatabase.available)
    func upstreamThrottle(database: TestDatabase) async throws {
        try await withTestServer(database) { server in
            let (_, key) = try await server.tenant(role: .developer)
            server.provider.enqueue(
                OpenAIWire.error(
                    status: 429, message: "upstream words that may echo the prompt", type: "requests", code: "rate_limit_exceeded",
                    headers: [("Retry-After", "2")]))
            let limited = try await server.request(.POST, "/v1/chat/completions", key: key, body: Self.hello)
            #expect(limited.status == 429)
            #expect(limited.header("retry-after") == "2")
            let message = try #require(limited.json?["error"]?["message"]?.stringValue)
            #expect(message.contains("the provider is rate limiting requests; gave up after 1 attempt"), "\(message)")
            #expect(!limited.body.contains("upstream words"))
        }
    }

    @Test("a circuit opened by upstream failures shows on /ready and in /metrics, with its transition", arguments: TestDatabase.available)
    func circuitSeries(database: TestDatabase) async throws {
        try await withTestServer(database) { server in
            let (_, key) = try await server.tenant(role: .developer)
            let threshold = CircuitBreakerSettings().failureThreshold
            server.provider.enqueue(
                Array(repeating: OpenAIWire.error(status: 500, message: "down", type: "server_error"), count: threshold))
            for _ in 0..<threshold {
                #expect(try await server.request(.POST, "/v1/chat/completions", key: key, body: Self.hello).status == 502)
            }
            let ready = try await server.request(.GET, "/ready")
            #expect(ready.json?["checks"]?["providers"]?["moonshot"]?["status"]?.stringValue == "degraded")
            let metrics = try await server.request(.GET, "/metrics", key: server.adminKey)
            #expect(metrics.status == 200)
            for series in [
                #"kimiswarm_circuit_state{provider="moonshot",model="kimi-k2.6"} 2.0"#,
                #"kimiswarm_circuit_transitions_total{provider="moonshot",model="kimi-k2.6",to="open"} 1"#,
                #"kimiswarm_bulkhead_in_flight{provider="moonshot"} 0.0"#,
                #"kimiswarm_rate_limit_wait_seconds_count{provider="moonshot"} "#,
            ] {
                #expect(metrics.body.contains(series), "missing \(series)")
            }
        }
    }
}
