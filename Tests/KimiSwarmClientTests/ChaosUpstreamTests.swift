import AsyncHTTPClient
import Foundation
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting
import NIOCore
import Testing

/// The chaos upstream of the reliability suite (scripts/reliability): seeded faults in the
/// OpenAI wire format, seen through the real provider, and its request log.
@Suite("Chaos upstream")
struct ChaosUpstreamTests {
    /// Which of `calls` sequential chat calls fail with a 429 carrying `Retry-After: 2`.
    static func rateLimitedCalls(seed: Int, calls: Int) async throws -> [Int] {
        try await LoopbackProviderServer.withServer { server in
            var settings = ChaosSettings()
            try settings.apply(.object(["rate_limit": .number(0.3), "retry_after": .number(2), "seed": .number(Double(seed))]))
            ChaosUpstream(settings: settings).install(on: server)
            let provider = server.openAIProvider()
            var limited: [Int] = []
            for index in 0..<calls {
                do {
                    _ = try await provider.chat(ChatRequest(messages: [.user("call \(index)")]))
                } catch let error as KimiSwarmError {
                    #expect(error.category == .rateLimit && error.retryAfter == .seconds(2), "\(error)")
                    limited.append(index)
                }
            }
            return limited
        }
    }

    @Test("a seeded share of calls is answered 429 with Retry-After, the same calls on every run with the seed")
    func seededRateLimits() async throws {
        let first = try await Self.rateLimitedCalls(seed: 7, calls: 60)
        let second = try await Self.rateLimitedCalls(seed: 7, calls: 60)
        #expect(first == second)
        #expect((8...28).contains(first.count), "\(first.count) of 60 calls limited at a 30 % rate")
        #expect(try await Self.rateLimitedCalls(seed: 8, calls: 60) != first)
    }

    @Test("bursts, truncated and stalled answers end as scripted, and the log says how each ended")
    func faultsAndLog() async throws {
        try await LoopbackProviderServer.withServer { server in
            let chaos = ChaosUpstream()
            chaos.install(on: server)
            let provider = server.openAIProvider(streamIdleTimeout: .milliseconds(400))
            let request = ChatRequest(messages: [.user("Hello")])

            try chaos.update(.object(["burst": .number(2), "burst_status": .number(503)]))
            for _ in 0..<2 {
                await #expect(throws: KimiSwarmError.self) { _ = try await provider.chat(request) }
            }
            #expect(try await provider.chat(request).text == "Echo: Hello")

            try chaos.update(.object(["truncate": .number(1)]))
            await #expect(throws: KimiSwarmError.self) { _ = try await provider.chat(request) }
            await #expect(throws: KimiSwarmError.self) { for try await _ in provider.chatStream(request) {} }

            try chaos.update(.object(["truncate": .number(0), "stall": .number(1)]))
            let started = ContinuousClock.now
            await #expect(throws: KimiSwarmError.self) { for try await _ in provider.chatStream(request) {} }
            #expect(ContinuousClock.now - started < .seconds(5))

            #expect(throws: ChaosSettingsError.self) { try chaos.update(.object(["hang": .number(0.5)])) }  // 1.5 in all
            let log = try await Self.get(server.url("/_chaos/log"))
            let entries = try #require(log["entries"]?.arrayValue)
            #expect(entries.compactMap { $0["fault"]?.stringValue } == ["burst", "burst", "none", "truncate", "truncate", "stall"])
            #expect(entries.compactMap { $0["status_sent"]?.intValue } == [503, 503, 200, 200, 200, 200])
            let ended = await eventually(timeout: .seconds(5)) { server.clientDisconnectsDuringResponse >= 1 }
            #expect(ended)
            let outcomes = try await Self.get(server.url("/_chaos/log"))["entries"]?.arrayValue?.map { $0["outcome"]?.stringValue }
            #expect(outcomes == ["completed", "completed", "completed", "cut", "cut", "client_closed"])
            #expect(entries.allSatisfy { $0["content_hash"]?.stringValue == entries[0]["content_hash"]?.stringValue })
        }
    }

    @Test("with a swarm plan, the planner gets the graph and the log names each call's role and agent")
    func swarmRoles() async throws {
        try await LoopbackProviderServer.withServer { server in
            var settings = ChaosSettings()
            settings.swarm = ChaosSettings.SwarmPlan(agents: 3, lanes: 2)
            settings.usage = OpenAIWire.Usage(promptTokens: 1000, completionTokens: 500)
            ChaosUpstream(settings: settings).install(on: server)
            let provider = server.openAIProvider()
            let plan = try await provider.chat(ChatRequest(messages: [
                .system("You are the planner of KimiSwarm, a system ..."), .user("# Task\nReview it"),
            ]))
            let graph = try JSONValue(parsing: plan.text)
            #expect(graph["tasks"]?.arrayValue?.count == 3)
            let third = graph["tasks"]?.arrayValue?.last
            #expect(third?["depends_on"]?.arrayValue?.first?.stringValue == "task-1")
            #expect(plan.usage.promptTokens == 1000 && plan.usage.completionTokens == 500)
            _ = try await provider.chat(ChatRequest(messages: [.system("You are a generalist."), .user("# Your assignment (task-2)\nDo it")]))
            let entries = try #require(try await Self.get(server.url("/_chaos/log"))["entries"]?.arrayValue)
            #expect(entries.map { $0["role"]?.stringValue } == ["planner", "agent"])
            #expect(entries[1]["agent"]?.stringValue == "task-2")
            #expect(entries[0]["usage"]?["prompt_tokens"]?.intValue == 1000)
        }
    }

    static func get(_ url: String) async throws -> JSONValue {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 10 << 20)
        return try JSONValue(parsing: String(buffer: body))
    }
}
