import AsyncHTTPClient
import Foundation
import HummingbirdWSClient
import KimiSwarmCore
@testable import KimiSwarmPlatform
import KimiSwarmServer
import KimiSwarmStore
import KimiSwarmTesting
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

@Suite("Live run events")
struct LiveEventsTests {
    static let body = #"{"task":"Design a payments service","graph":\#(threeTaskGraph)}"#

    @Test("a client whose SSE connection drops reconnects with Last-Event-ID and misses nothing", arguments: TestDatabase.available)
    func sseReconnect(database: TestDatabase) async throws {
        try await withTestServer(database, script: SwarmScript(latency: .milliseconds(150))) { server in
            let (_, key) = try await server.tenant()
            let created = try await server.request(.POST, "/api/v1/runs", key: key, body: Self.body)
            let runID = try #require(created.json?["id"]?.stringValue)
            // First connection: dropped by the client after three events, while the run goes on.
            let (_, first) = try await readEvents(server, runID: runID, key: key, stop: { $0.count >= 3 })
            #expect(first.count >= 3)
            let lastSeen = try #require(first.last?.id)
            // Second connection resumes from the last id it saw.
            let (_, second) = try await readEvents(server, runID: runID, key: key, lastEventID: lastSeen)
            let combined = first.compactMap(\.id) + second.compactMap(\.id)
            #expect(combined == Array(1...combined.count))
            #expect(second.last?.type == "finished")
            // And a fresh reader sees the same events, in the same order.
            let (_, all) = try await readEvents(server, runID: runID, key: key)
            #expect(all.map(\.data) == first.map(\.data) + second.map(\.data))
        }
    }

    @Test("the same stream over WebSocket, authenticated with ?access_token", arguments: TestDatabase.available)
    func webSocket(database: TestDatabase) async throws {
        try await withTestServer(database, script: SwarmScript()) { server in
            let (_, key) = try await server.tenant()
            let created = try await server.request(.POST, "/api/v1/runs", key: key, body: Self.body)
            let runID = try #require(created.json?["id"]?.stringValue)
            let frames = Mutex<[String]>([])
            let url = "ws://127.0.0.1:\(server.port)/api/v1/runs/\(runID)/ws?access_token=\(key)"
            try await WebSocketClient.connect(url: url, logger: serverTestLogger) { inbound, _, _ in
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    if case .text(let text) = message { frames.withLock { $0.append(text) } }
                }
            }
            let received = frames.withLock { $0 }.compactMap { try? JSONValue(parsing: $0) }
            let ids = received.compactMap { $0["id"]?.intValue }
            #expect(ids == Array(1...max(ids.count, 1)))
            #expect(received.first?["type"]?.stringValue == "started")
            #expect(received.last?["type"]?.stringValue == "finished")
            #expect(received.last?["data"]?["status"]?.stringValue == "completed")

            // Without a token, or with another tenant's key, there is no upgrade.
            let (_, otherKey) = try await server.tenant()
            for suffix in ["", "?access_token=\(otherKey)"] {
                await #expect(throws: (any Error).self) {
                    try await WebSocketClient.connect(
                        url: "ws://127.0.0.1:\(server.port)/api/v1/runs/\(runID)/ws\(suffix)", logger: serverTestLogger
                    ) { _, _, _ in }
                }
            }
        }
    }

    @Test("events from a worker on another replica reach a reader on this one (PostgreSQL LISTEN/NOTIFY)")
    func acrossReplicas() async throws {
        guard TestDatabase.available.contains(.postgres) else { return }
        try await LoopbackProviderServer.withServer { provider in
            provider.setResponder(SwarmScript(latency: .milliseconds(100)).respond)
            try await withFreshLocation(.postgres) { location in
                // Replica A answers the API and runs no worker; replica B only executes runs.
                try await withTestServer(at: location, provider: provider, workers: 0) { api in
                    try await withTestServer(at: location, provider: provider, workers: 2, adminKey: api.adminKey) { _ in
                        let (_, key) = try await api.tenant()
                        let created = try await api.request(.POST, "/api/v1/runs", key: key, body: Self.body)
                        let runID = try #require(created.json?["id"]?.stringValue)
                        let (status, events) = try await readEvents(api, runID: runID, key: key)
                        #expect(status == 200)
                        #expect(events.last?.type == "finished")
                        #expect(events.compactMap(\.id) == Array(1...events.count))
                        let run = try await api.waitForRun(runID, key: key)
                        #expect(run["status"]?.stringValue == "succeeded")
                    }
                }
            }
        }
    }
}
