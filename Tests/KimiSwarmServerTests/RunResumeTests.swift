import AsyncHTTPClient
import Foundation
import KimiSwarmCore
@testable import KimiSwarmPlatform
import KimiSwarmServer
import KimiSwarmStore
import KimiSwarmTesting
import NIOCore
import NIOHTTP1
import Testing

/// What a run's stored state and events say after it was interrupted and resumed.
@Suite("Resumed runs")
struct RunResumeTests {
    static let body = #"{"task":"Design it","graph":\#(threeTaskGraph)}"#

    /// Counts the stored events of `type` (for `agent`, when given).
    static func count(_ events: [StoredRunEvent], _ type: String, agent: String? = nil) -> Int {
        events.filter { event in event.type == type && (agent.map { event.data.contains("\"agent\":\"\($0)\"") } ?? true) }.count
    }

    @Test("a run interrupted mid-way and resumed by another server: its event stream reads like one uninterrupted run")
    func resumedStreamHasNoRepeats() async throws {
        try await LoopbackProviderServer.withServer { provider in
            let script = SwarmScript(latency: .milliseconds(300))
            provider.setResponder(script.respond)
            try await withFreshLocation(.sqlite) { location in
                let key = "ks_" + String(repeating: "r", count: 40)
                // The same replica, stopped mid-run and started again (it takes its run back at once).
                let replica: @Sendable (inout ServerConfiguration) -> Void = { $0.workerID = "replica-r" }
                let runID: String = try await withTestServer(at: location, provider: provider, workers: 1, adminKey: key, configure: replica) { server in
                    let created = try await server.request(.POST, "/api/v1/runs", key: key, body: Self.body)
                    let runID = try #require(created.json?["id"]?.stringValue)
                    // Stop the server once the first two agents finished (the third is under way).
                    let deadline = ContinuousClock.now + .seconds(30)
                    while ContinuousClock.now < deadline {
                        let events = try await server.store.events.events(tenantID: FirstStart.defaultTenantID, runID: runID)
                        if Self.count(events, "agent_finished") >= 2 { break }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    return runID
                }
                let callsBefore = provider.requestCount
                try await withTestServer(at: location, provider: provider, workers: 1, adminKey: key, configure: replica) { server in
                    let run = try await server.waitForRun(runID, key: key)
                    #expect(run["status"]?.stringValue == "succeeded")
                    let events = try await server.store.events.events(tenantID: FirstStart.defaultTenantID, runID: runID)
                    #expect(Self.count(events, "started") == 1)
                    #expect(Self.count(events, "planned") <= 1)
                    #expect(Self.count(events, "finished") == 1)
                    for agent in ["requirements", "risks", "design"] {
                        #expect(Self.count(events, "agent_started", agent: agent) == 1, "\(agent) started \(Self.count(events, "agent_started", agent: agent)) times")
                        #expect(Self.count(events, "agent_finished", agent: agent) == 1, "\(agent) finished \(Self.count(events, "agent_finished", agent: agent)) times")
                    }
                    // The two finished agents were replayed from the journal, not called again.
                    #expect(provider.requestCount - callsBefore <= 2)
                }
            }
        }
    }

    @Test("a run its budget stopped is stored partial, with the limit it hit, not succeeded")
    func budgetStoppedRunIsPartial() async throws {
        // Each call uses 12,000 tokens; 60,000 leave room for the synthesis and an agent or two.
        let script = SwarmScript(usage: Usage(promptTokens: 10_000, completionTokens: 2_000))
        try await withTestServer(.sqlite, workers: 1, script: script) { server in
            let (_, key) = try await server.tenant()
            let created = try await server.request(
                .POST, "/api/v1/runs", key: key, body: #"{"task":"Design it","graph":\#(threeTaskGraph),"budgets":{"max_tokens":60000,"concurrency":1}}"#)
            let runID = try #require(created.json?["id"]?.stringValue)
            let run = try await server.waitForRun(runID, key: key, statuses: ["succeeded", "partial", "failed", "cancelled"])
            #expect(run["status"]?.stringValue == "partial")
            let result = try await server.request(.GET, "/api/v1/runs/\(runID)/result", key: key)
            #expect(result.json?["status"]?.stringValue == "partial")
            #expect(result.json?["result"]?["limitsHit"]?.arrayValue?.contains { $0.stringValue == "max_tokens" } == true, "\(result.body.prefix(400))")
            let listed = try await server.request(.GET, "/api/v1/runs?status=partial", key: key)
            #expect(listed.json?["data"]?.arrayValue?.count == 1)
        }
    }

    @Test("a worker that starts again under its earlier id takes back the runs it held at once, not after their leases")
    func restartedWorkerReclaimsItsLeases() async throws {
        try await LoopbackProviderServer.withServer { provider in
            provider.setResponder(SwarmScript().respond)
            try await withFreshLocation(.sqlite) { location in
                let key = "ks_" + String(repeating: "l", count: 40)
                let runID: String = try await withTestServer(at: location, provider: provider, workers: 0, adminKey: key) { server in
                    let created = try await server.request(.POST, "/api/v1/runs", key: key, body: Self.body)
                    let runID = try #require(created.json?["id"]?.stringValue)
                    // Replica "replica-a" claims it with a ten-minute lease and dies (nothing releases it).
                    let claimed = try await server.store.jobs.claim(queue: "runs", workerID: "replica-a-1", leaseDuration: .seconds(600))
                    #expect(claimed != nil)
                    return runID
                }
                let restarted = ContinuousClock.now
                try await withTestServer(
                    at: location, provider: provider, workers: 2, adminKey: key, configure: { $0.workerID = "replica-a" }
                ) { server in
                    let run = try await server.waitForRun(runID, key: key, timeout: .seconds(30))
                    #expect(run["status"]?.stringValue == "succeeded")
                    #expect(ContinuousClock.now - restarted < .seconds(30))
                }
                // Another replica's id would have waited for the lease (ten minutes).
            }
        }
    }

    @Test("swarm serve killed with SIGKILL mid-run: started again on its data folder, it resumes the run at once")
    func killedServerResumesAtOnce() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serve-kill-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await LoopbackProviderServer.withServer { provider in
            provider.setResponder(SwarmScript(latency: .milliseconds(800)).respond)
            let environment = ["KIMI_CACHE__ENABLED": "false"]
            let first = try await ServedSwarm.start(data: folder, provider: provider, workers: 2, environment: environment)
            let runID = try #require(try await first.call(.POST, "/api/v1/runs", Self.body).json?["id"]?.stringValue)
            _ = await provider.waitForRequests(1, timeout: .seconds(20))
            first.process.kill(SIGKILL)
            _ = await first.process.wait()

            let restarted = ContinuousClock.now
            let second = try await ServedSwarm.start(data: folder, provider: provider, workers: 2, environment: environment)
            let status = try await second.waitForRun(runID)
            let took = ContinuousClock.now - restarted
            #expect(status == "succeeded")
            // The job's lease is 30 s: a server that did not know its own leases would wait that long first.
            #expect(took < .seconds(25), "the run finished \(took) after the restart")
            await second.stop()
        }
    }
}
