import Foundation
import KimiSwarmCore
@testable import KimiSwarmPlatform
import KimiSwarmServer
import KimiSwarmStore
import KimiSwarmTesting
import Testing

/// A request's work stops when its client goes away: the handler's task is cancelled, which
/// cancels its upstream call (Hummingbird alone lets the handler run to its end: an LLM call
/// that takes minutes keeps running, and keeps the provider connection, after the client left).
@Suite("Client disconnects cancel the request's work")
struct ClientDisconnectTests {
    static func chatRequest(key: String, stream: Bool) -> String {
        let body = #"{"model":"kimi-k2.6","stream":\#(stream),"messages":[{"role":"user","content":"a long question"}]}"#
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(key)\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    @Test("a plain chat completion whose client closes the connection cancels the upstream call, billed for its prompt")
    func plainRequest() async throws {
        try await withTestServer(.sqlite, workers: 0) { server in
            let (tenantID, key) = try await server.tenant(role: .developer)
            server.provider.setResponder { _ in .hang }
            let client = try await RawTCPClient.connect(port: server.port)
            await client.send(Self.chatRequest(key: key, stream: false))
            #expect(await server.provider.waitForRequests(1, timeout: .seconds(10)))
            await client.close()
            #expect(await server.provider.waitForClientDisconnects(1, timeout: .seconds(10)), "the upstream call kept running")
            let rows = try await waitForLedger(server, tenantID: tenantID, count: 1)
            #expect(rows.first?.usage.promptTokens ?? 0 > 0)
            #expect(rows.first?.usage.completionTokens == 0)
        }
    }

    @Test("a streamed chat completion whose client closes while the upstream is silent cancels the upstream call")
    func streamedRequest() async throws {
        try await withTestServer(.sqlite, workers: 0) { server in
            let (tenantID, key) = try await server.tenant(role: .developer)
            // The first two events (the role, the first words) at once, the next ones minutes apart.
            let events = OpenAIWire.streamEvents(model: "kimi-k2.6", content: "one two three four", chunkSize: 4)
            server.provider.setResponder { _ in
                .sse(events: [events[0] + "\n\n" + events[1]] + events.dropFirst(2), interval: .seconds(600))
            }
            let client = try await RawTCPClient.connect(port: server.port)
            await client.send(Self.chatRequest(key: key, stream: true))
            #expect(await client.waitFor("data: ", timeout: .seconds(10)))
            await client.close()
            #expect(await server.provider.waitForClientDisconnects(1, timeout: .seconds(10)), "the relay kept waiting on the upstream")
            let rows = try await waitForLedger(server, tenantID: tenantID, count: 1)
            #expect(rows.first?.usage.promptTokens ?? 0 > 0)
        }
    }
}
