import Foundation
import HTTPTypes
import HummingbirdWSClient
import KimiSwarmCore
import KimiSwarmStore
import Testing

@Suite("Run WebSocket authentication")
struct WebSocketAuthTests {
    private static let tenantHeader = HTTPField.Name("X-KimiSwarm-Tenant")!

    @Test("the run WebSocket reads credentials like the REST API: the tenant header, the header token, the size limit")
    func sameParserAsTheAPI() async throws {
        try await withTestServer(.sqlite, workers: 0) { server in
            let (tenantID, key) = try await server.tenant()
            let (_, otherKey) = try await server.tenant()
            let run = try await server.store.runs.submitTestRun(tenantID: tenantID, task: "watched over a WebSocket")
            // An ended run with no events: the server ends each stream at once.
            try await server.store.runs.finishRun(
                tenantID: tenantID, runID: run.id, status: .succeeded, result: nil, usage: Usage(), costUSD: 0)
            let url = "ws://127.0.0.1:\(server.port)/api/v1/runs/\(run.id)/ws"
            func connect(_ url: String, _ headers: HTTPFields = [:]) async throws {
                try await WebSocketClient.connect(
                    url: url, configuration: .init(additionalHeaders: headers), logger: serverTestLogger
                ) { _, _, _ in }
            }
            // The tenant's own key, in the Authorization header.
            try await connect(url, [.authorization: "Bearer \(key)"])
            // A super admin reaches the run by acting in its tenant, as on the REST API.
            try await connect(url, [.authorization: "Bearer \(server.adminKey)", Self.tenantHeader: tenantID])
            // Anyone else may not switch tenants.
            await #expect(throws: (any Error).self) {
                try await connect(url, [.authorization: "Bearer \(otherKey)", Self.tenantHeader: tenantID])
            }
            // A header that is not `Bearer <token>`, and a token over the size limit, are refused.
            await #expect(throws: (any Error).self) { try await connect(url + "?access_token=\(key)", [.authorization: "Basic \(key)"]) }
            await #expect(throws: (any Error).self) { try await connect(url + "?access_token=" + String(repeating: "k", count: 9000)) }
        }
    }
}
