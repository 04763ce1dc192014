import Foundation
import KimiSwarmCore
@testable import KimiSwarmPlatform
import KimiSwarmServer
import KimiSwarmStore
import KimiSwarmTesting
import NIOHTTP1
import Synchronization
import Testing

/// The run service through the API: one validation with the engine's limits, cancels pushed to
/// the run (not polled), and run states that say what happened.
@Suite("Run service")
struct RunServiceTests {
    /// A graph of `count` independent tasks.
    static func graph(tasks count: Int) -> String {
        let tasks = (1...count).map { #"{"id":"part-\#($0)","template":"cloud-architect","instructions":"Look at part \#($0)."}"# }
        return #"{"tasks":[\#(tasks.joined(separator: ","))]}"#
    }

    /// Polls the stored events of a run until `done` says so (or 30 s pass).
    static func waitForEvents(_ store: SwarmStore, tenantID: String, runID: String, _ done: ([StoredRunEvent]) -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if done(try await store.events.events(tenantID: tenantID, runID: runID)) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("the run's events did not arrive in time")
    }

    @Test("with max sub-agents 100 a 150-task graph is refused at submission (400 naming the limit); with a higher max it is accepted and runs")
    func graphLargerThanMaxSubAgents() async throws {
        try await withTestServer(.sqlite, workers: 1, script: SwarmScript()) { server in
            let (tenantID, key) = try await server.tenant(plan: "unlimited")
            let graph = Self.graph(tasks: 150)
            for path in ["/api/v1/runs", "/api/v1/runs/estimate"] {
                let refused = try await server.request(.POST, path, key: key, body: #"{"task":"Review it all","graph":\#(graph)}"#)
                #expect(refused.status == 400, "\(refused.body)")
                #expect(refused.errorType == "invalid_request")
                // (The REST error body has no `param`; the gateway's OpenAI-style one does.)
                let message = refused.json?["error"]?["message"]?.stringValue ?? ""
                #expect(message.contains("150 tasks") && message.contains("max sub-agents") && message.contains("`budgets.max_sub_agents`: 100"), "\(message)")
            }
            // Nothing was stored for the refused run.
            #expect(try await server.request(.GET, "/api/v1/runs", key: key).json?["data"]?.arrayValue?.isEmpty == true)

            let body = #"{"task":"Review it all","graph":\#(graph),"budgets":{"max_sub_agents":150,"concurrency":32}}"#
            let accepted = try await server.request(.POST, "/api/v1/runs", key: key, body: body)
            #expect(accepted.status == 202, "\(accepted.body)")
            #expect(accepted.json?["estimate"]?["agents"]?.intValue == 150)
            let runID = try #require(accepted.json?["id"]?.stringValue)
            let run = try await server.waitForRun(runID, key: key, statuses: ["succeeded", "partial", "failed", "cancelled"], timeout: .seconds(120))
            #expect(run["status"]?.stringValue == "succeeded", "\(run)")
            let events = try await server.store.events.events(tenantID: tenantID, runID: runID, limit: 5000)
            #expect(events.filter { $0.type == "agent_finished" }.count == 150)
        }
    }

    /// The safety-net check of cancel flags, set so long that only a pushed cancel can stop a
    /// run within a test's deadline.
    static let noSafetyNet: @Sendable (inout ServerConfiguration) -> Void = { $0.cancelCheckInterval = .seconds(3600) }

    @Test("a cancel through the API stops a running run at once: pushed to its executor, not polled")
    func cancelIsPushedInProcess() async throws {
        // Every model call takes 30 s: the run ends within the deadline only if the cancel reaches it.
        try await withTestServer(.sqlite, workers: 1, script: SwarmScript(latency: .seconds(30)), configure: Self.noSafetyNet) { server in
            let (tenantID, key) = try await server.tenant()
            let created = try await server.request(.POST, "/api/v1/runs", key: key, body: #"{"task":"Design it","graph":\#(threeTaskGraph)}"#)
            let runID = try #require(created.json?["id"]?.stringValue)
            #expect(await server.provider.waitForRequests(1, timeout: .seconds(20)))
            let cancel = try await server.request(.POST, "/api/v1/runs/\(runID)/cancel", key: key)
            #expect(cancel.status == 202)
            let run = try await server.waitForRun(runID, key: key, timeout: .seconds(20))
            #expect(run["status"]?.stringValue == "cancelled")
            let events = try await server.store.events.events(tenantID: tenantID, runID: runID)
            #expect(events.last?.type == "finished")
            #expect(events.filter { $0.type == "finished" }.count == 1)
        }
    }

    @Test(
        "on PostgreSQL, a cancel stored by another replica's store reaches the executing replica through a notification",
        .enabled(if: TestDatabase.postgresURL != nil, "needs PostgreSQL (KIMISWARM_TEST_DATABASE_URL; scripts/test sets it)"))
    func cancelFromAnotherReplicaIsNotified() async throws {
        try await LoopbackProviderServer.withServer { provider in
            provider.setResponder(SwarmScript(latency: .seconds(30)).respond)
            try await withFreshLocation(.postgres) { location in
                try await withTestServer(at: location, provider: provider, workers: 1, configure: Self.noSafetyNet) { server in
                    let (tenantID, key) = try await server.tenant()
                    let created = try await server.request(.POST, "/api/v1/runs", key: key, body: #"{"task":"Design it","graph":\#(threeTaskGraph)}"#)
                    let runID = try #require(created.json?["id"]?.stringValue)
                    #expect(await provider.waitForRequests(1, timeout: .seconds(20)))
                    // Another replica: its own store (its own connections) on the same database.
                    let outcome = try await SwarmStore.withStore(StoreConfiguration(location: location, migrate: false), logger: serverTestLogger) { other in
                        try await other.runs.requestCancel(tenantID: tenantID, runID: runID)
                    }
                    guard case .cancelRequested = outcome else {
                        Issue.record("the cancel was not stored for a running run: \(outcome)")
                        return
                    }
                    let run = try await server.waitForRun(runID, key: key, timeout: .seconds(20))
                    #expect(run["status"]?.stringValue == "cancelled")
                }
            }
        }
    }

    @Test("swarm serve stopped with SIGTERM mid-run stores no `finished` event; the run stays running and the next start finishes it")
    func shutdownMidRunDoesNotEndTheStream() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serve-term-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let location = StoreLocation.sqlite(path: folder.appendingPathComponent("kimiswarm.sqlite").path)
        let tenantID = FirstStart.defaultTenantID
        try await LoopbackProviderServer.withServer { provider in
            // `design` (after the other two) hangs until the server is stopped, so the run is mid-way then.
            let script = SwarmScript()
            let blocked = Mutex(true)
            provider.setResponder { request in
                if request.bodyString.contains("# Your assignment (design)"), blocked.withLock({ $0 }) { return .hang }
                return script.respond(request)
            }
            let environment = ["KIMI_CACHE__ENABLED": "false"]
            let first = try await ServedSwarm.start(data: folder, provider: provider, workers: 1, environment: environment)
            let runID = try #require(try await first.call(.POST, "/api/v1/runs", #"{"task":"Design it","graph":\#(threeTaskGraph)}"#).json?["id"]?.stringValue)
            try await SwarmStore.withStore(StoreConfiguration(location: location, migrate: false), logger: serverTestLogger) { store in
                try await Self.waitForEvents(store, tenantID: tenantID, runID: runID) { events in
                    events.filter { $0.type == "agent_finished" }.count == 2
                }
            }
            #expect(await first.stop() == 0)
            // The server is gone: what it left says the run is still under way.
            try await SwarmStore.withStore(StoreConfiguration(location: location, migrate: false), logger: serverTestLogger) { store in
                let events = try await store.events.events(tenantID: tenantID, runID: runID)
                #expect(!events.contains { $0.type == "finished" }, "\(events.map(\.type))")
                #expect(try await store.runs.run(tenantID: tenantID, runID: runID)?.status == .running)
            }
            blocked.withLock { $0 = false }
            let second = try await ServedSwarm.start(data: folder, provider: provider, workers: 1, environment: environment)
            #expect(try await second.waitForRun(runID) == "succeeded")
            await second.stop()
            try await SwarmStore.withStore(StoreConfiguration(location: location, migrate: false), logger: serverTestLogger) { store in
                let events = try await store.events.events(tenantID: tenantID, runID: runID)
                #expect(events.filter { $0.type == "finished" }.count == 1)
                #expect(events.last?.type == "finished")
            }
        }
    }

    @Test("swarm serve: KIMI_SWARM__CONCURRENCY is the concurrency of a run that sets none")
    func servedConcurrencySetting() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serve-concurrency-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await LoopbackProviderServer.withServer { provider in
            let served = try await ServedSwarm.start(data: folder, provider: provider, workers: 0, environment: ["KIMI_SWARM__CONCURRENCY": "3"])
            let defaulted = try await served.call(.POST, "/api/v1/runs", #"{"task":"Review it","swarm":"security"}"#)
            #expect(defaulted.status == 202)
            #expect(defaulted.json?["budgets"]?["concurrency"]?.intValue == 3)
            let own = try await served.call(.POST, "/api/v1/runs", #"{"task":"Review it","swarm":"security","budgets":{"concurrency":5}}"#)
            #expect(own.json?["budgets"]?["concurrency"]?.intValue == 5)
            await served.stop()
        }
    }
}
