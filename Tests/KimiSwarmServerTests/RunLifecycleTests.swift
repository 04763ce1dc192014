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

/// One server-sent event as received.
struct ReceivedEvent: Sendable, Hashable {
    var id: Int?
    var type: String
    var data: String
}

/// Reads an SSE response to its end (or until `stop` says so), parsing events.
func readEvents(
    _ server: TestServer, runID: String, key: String, lastEventID: Int? = nil, stop: @Sendable ([ReceivedEvent]) -> Bool = { _ in false }
) async throws -> (status: Int, events: [ReceivedEvent]) {
    var request = HTTPClientRequest(url: server.baseURL + "/api/v1/runs/\(runID)/events")
    request.headers.add(name: "Authorization", value: "Bearer \(key)")
    request.headers.add(name: "Accept", value: "text/event-stream")
    if let lastEventID { request.headers.add(name: "Last-Event-ID", value: String(lastEventID)) }
    let response = try await testHTTPClient.execute(request, timeout: .seconds(90))
    var events: [ReceivedEvent] = []
    var pending = ""
    for try await chunk in response.body {
        pending += String(buffer: chunk)
        while let range = pending.range(of: "\n\n") {
            let block = String(pending[..<range.lowerBound])
            pending = String(pending[range.upperBound...])
            var event = ReceivedEvent(id: nil, type: "message", data: "")
            var isComment = true
            for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix(":") { continue }
                isComment = false
                if line.hasPrefix("id: ") { event.id = Int(line.dropFirst(4)) }
                if line.hasPrefix("event: ") { event.type = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { event.data += String(line.dropFirst(6)) }
            }
            if !isComment { events.append(event) }
        }
        if stop(events) { break }
    }
    return (Int(response.status.code), events)
}

let threeTaskGraph = """
    {"tasks":[
      {"id":"requirements","template":"cloud-architect","instructions":"List the requirements."},
      {"id":"risks","template":"cloud-security-reviewer","instructions":"List the risks."},
      {"id":"design","template":"cloud-architect","instructions":"Propose a design.","depends_on":["requirements","risks"]}
    ]}
    """

@Suite("Runs over the API")
struct RunLifecycleTests {
    @Test("a run created over the API is executed by a worker, observed live over SSE, resumable, and its cost is in usage", arguments: TestDatabase.available)
    func lifecycle(database: TestDatabase) async throws {
        try await withTestServer(database, script: SwarmScript()) { server in
            let (tenantID, key) = try await server.tenant()
            let body = #"{"task":"Design a payments service","graph":\#(threeTaskGraph),"budgets":{"max_cost_usd":"5","concurrency":2}}"#
            let created = try await server.request(.POST, "/api/v1/runs", key: key, body: body, headers: ["Idempotency-Key": "k-1"])
            #expect(created.status == 202)
            let runID = try #require(created.json?["id"]?.stringValue)
            #expect(created.header("location") == "/api/v1/runs/\(runID)")
            #expect(created.json?["estimate"]?["agents"]?.intValue == 3)
            #expect(created.json?["source"]?.stringValue == "graph")

            // The same key and body: the same run. The same key with another body: 422.
            let again = try await server.request(.POST, "/api/v1/runs", key: key, body: body, headers: ["Idempotency-Key": "k-1"])
            #expect(again.status == 202)
            #expect(again.json?["id"]?.stringValue == runID)
            #expect(again.header("idempotent-replayed") == "true")
            let different = try await server.request(
                .POST, "/api/v1/runs", key: key, body: #"{"task":"Something else"}"#, headers: ["Idempotency-Key": "k-1"])
            #expect(different.status == 422)

            // Live: the stream ends after the run does, with every event in order.
            let (status, events) = try await readEvents(server, runID: runID, key: key)
            #expect(status == 200)
            let ids = events.compactMap(\.id)
            #expect(ids == Array(1...ids.count))
            #expect(events.first?.type == "started")
            #expect(events.last?.type == "finished")
            #expect(events.filter { $0.type == "agent_finished" }.count == 3)
            #expect(events.contains { $0.type == "planned" })

            // A client that reconnects with Last-Event-ID gets exactly the rest.
            let (_, rest) = try await readEvents(server, runID: runID, key: key, lastEventID: 3)
            #expect(rest.compactMap(\.id) == Array(ids.dropFirst(3)))

            let run = try await server.waitForRun(runID, key: key)
            #expect(run["status"]?.stringValue == "succeeded")
            #expect(run["total_tokens"]?.intValue ?? 0 > 0)

            let result = try await server.request(.GET, "/api/v1/runs/\(runID)/result", key: key)
            #expect(result.status == 200)
            #expect(result.json?["result"]?["answer"]?.stringValue?.isEmpty == false)
            let markdown = try await server.request(.GET, "/api/v1/runs/\(runID)/result?format=markdown", key: key)
            #expect(markdown.header("content-type")?.hasPrefix("text/markdown") == true)
            #expect(markdown.body.hasPrefix("# Run \(runID)"))
            #expect(markdown.body.contains("| design |"))

            // Every model call of the run is in the ledger, and the run's cost equals their sum.
            let ledger = try await server.store.usage.ledger(
                tenantID: tenantID, from: Date().addingTimeInterval(-3600), to: Date().addingTimeInterval(3600))
            let calls = ledger.filter { $0.runID == runID }
            #expect(calls.count == 4)  // three agents and the synthesis (no planning: the graph was given)
            let stored = try #require(try await server.store.runs.run(tenantID: tenantID, runID: runID))
            #expect(calls.reduce(Decimal(0)) { $0 + $1.costUSD } == stored.costUSD)

            // Prometheus: the tenant's usage and the finished run.
            let metrics = try await server.request(.GET, "/metrics", key: server.adminKey)
            #expect(metrics.body.contains("kimiswarm_tenant_calls_total{tenant=\"\(tenantID)\"} 4"))
            #expect(metrics.body.contains("kimiswarm_runs_finished_total{status=\"succeeded\"} 1"))

            // Another tenant sees nothing: 404 like a missing id.
            let (_, otherKey) = try await server.tenant()
            let foreign = try await server.request(.GET, "/api/v1/runs/\(runID)", key: otherKey)
            #expect(foreign.status == 404)
            #expect(try await server.request(.GET, "/api/v1/runs/\(runID)/events", key: otherKey).status == 404)
            #expect(try await server.request(.POST, "/api/v1/runs/\(runID)/cancel", key: otherKey).status == 404)
        }
    }

    @Test("a running run is cancelled through the API, then resumed to the end", arguments: TestDatabase.available)
    func cancelAndResume(database: TestDatabase) async throws {
        try await withTestServer(database, script: SwarmScript(latency: .milliseconds(700))) { server in
            let (_, key) = try await server.tenant()
            let created = try await server.request(
                .POST, "/api/v1/runs", key: key, body: #"{"task":"Design it","graph":\#(threeTaskGraph)}"#)
            let runID = try #require(created.json?["id"]?.stringValue)
            _ = try await server.waitForRun(runID, key: key, statuses: ["running"])
            let cancel = try await server.request(.POST, "/api/v1/runs/\(runID)/cancel", key: key)
            #expect(cancel.status == 202)
            let cancelled = try await server.waitForRun(runID, key: key)
            #expect(cancelled["status"]?.stringValue == "cancelled")
            #expect(try await server.request(.POST, "/api/v1/runs/\(runID)/cancel", key: key).status == 409)

            let resumed = try await server.request(.POST, "/api/v1/runs/\(runID)/resume", key: key)
            #expect(resumed.status == 202)
            let finished = try await server.waitForRun(runID, key: key)
            #expect(finished["status"]?.stringValue == "succeeded")
            #expect(try await server.request(.POST, "/api/v1/runs/\(runID)/resume", key: key).status == 409)
        }
    }

    @Test("a queued run is cancelled at once; bad bodies are 400/422 naming the field; lists page with a cursor")
    func validationAndPaging() async throws {
        try await withTestServer(.sqlite, workers: 0) { server in
            let (_, key) = try await server.tenant()
            let created = try await server.request(.POST, "/api/v1/runs", key: key, body: #"{"task":"later","swarm":"security"}"#)
            #expect(created.status == 202)
            let runID = try #require(created.json?["id"]?.stringValue)
            let cancel = try await server.request(.POST, "/api/v1/runs/\(runID)/cancel", key: key)
            #expect(cancel.json?["status"]?.stringValue == "cancelled")

            let unknownField = try await server.request(.POST, "/api/v1/runs", key: key, body: #"{"task":"x","tenant_id":"other"}"#)
            #expect(unknownField.status == 422)
            #expect(unknownField.body.contains("tenant_id"))
            let missingTask = try await server.request(.POST, "/api/v1/runs", key: key, body: #"{"swarm":"security"}"#)
            #expect(missingTask.status == 400)
            #expect(missingTask.body.contains("`task`"))
            let badSwarm = try await server.request(.POST, "/api/v1/runs", key: key, body: #"{"task":"x","swarm":"nope"}"#)
            #expect(badSwarm.status == 422)
            let notJSON = try await server.request(.POST, "/api/v1/runs", key: key, body: "{task")
            #expect(notJSON.status == 400)
            let deep = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
            let tooDeep = try await server.request(.POST, "/api/v1/runs", key: key, body: #"{"task":"x","graph":\#(deep)}"#)
            #expect(tooDeep.status == 400)
            #expect(tooDeep.body.contains("nested"))
            let badBudget = try await server.request(.POST, "/api/v1/runs", key: key, body: #"{"task":"x","budgets":{"max_cost_usd":"-1"}}"#)
            #expect(badBudget.status == 422)

            for index in 0..<4 {
                _ = try await server.request(.POST, "/api/v1/runs", key: key, body: #"{"task":"task \#(index)","swarm":"security"}"#)
            }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await server.request(.GET, "/api/v1/runs?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), key: key)
                #expect(page.status == 200)
                seen += page.json?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                cursor = page.json?["next_cursor"]?.stringValue
            } while cursor != nil
            #expect(seen.count == 5)
            #expect(Set(seen).count == 5)
            let filtered = try await server.request(.GET, "/api/v1/runs?status=cancelled", key: key)
            #expect(filtered.json?["data"]?.arrayValue?.count == 1)
            #expect(try await server.request(.GET, "/api/v1/runs?status=nope", key: key).status == 400)
            #expect(try await server.request(.GET, "/api/v1/runs?cursor=%%%", key: key).status == 400)
        }
    }

    @Test("a tenant's own template can be used in its runs; another tenant's run cannot name it")
    func tenantTemplates() async throws {
        try await withTestServer(.sqlite, script: SwarmScript()) { server in
            let (_, key) = try await server.tenant()
            let saved = try await server.request(.POST, "/api/v1/templates", key: key, body: AdminBillingRoutesTests.body(AdminBillingRoutesTests.template))
            #expect(saved.status == 201, "\(saved.body)")
            let graph = #"{"tasks":[{"id":"check","template":"contract-checker","instructions":"Check the NDA."}]}"#
            let created = try await server.request(.POST, "/api/v1/runs", key: key, body: #"{"task":"Check our NDA","graph":\#(graph)}"#)
            #expect(created.status == 202, "\(created.body)")
            let runID = try #require(created.json?["id"]?.stringValue)
            let run = try await server.waitForRun(runID, key: key)
            #expect(run["status"]?.stringValue == "succeeded")

            let (_, otherKey) = try await server.tenant()
            let foreign = try await server.request(.POST, "/api/v1/runs", key: otherKey, body: #"{"task":"Check our NDA","graph":\#(graph)}"#)
            #expect(foreign.status == 422)
            #expect(foreign.body.contains("contract-checker"))
        }
    }

    @Test("a tenant that stored its own provider key has its runs sent with that key; others use the server's", arguments: TestDatabase.available)
    func bringYourOwnKey(database: TestDatabase) async throws {
        let keyring = try MasterKeyring(current: (0..<32).map { _ in UInt8.random(in: 0...255) })
        try await withTestServer(database, script: SwarmScript(), masterKeys: keyring) { server in
            let (_, ownKeyTenant) = try await server.tenant()
            let (_, serverKeyTenant) = try await server.tenant()
            let unknown = try await server.request(.PUT, "/api/v1/credentials/nope", key: ownKeyTenant, body: #"{"secret":"sk-x"}"#)
            #expect(unknown.status == 422)
            let stored = try await server.request(.PUT, "/api/v1/credentials/moonshot", key: ownKeyTenant, body: #"{"secret":"sk-tenant-own-key"}"#)
            #expect(stored.status == 200, "\(stored.body)")
            #expect(!stored.body.contains("sk-tenant-own-key"))
            let listed = try await server.request(.GET, "/api/v1/credentials", key: ownKeyTenant)
            #expect(!listed.body.contains("sk-tenant-own-key"))

            for (key, expected) in [(ownKeyTenant, "Bearer sk-tenant-own-key"), (serverKeyTenant, "Bearer sk-test-server")] {
                server.provider.clearRecordedRequests()
                let created = try await server.request(.POST, "/api/v1/runs", key: key, body: #"{"task":"Design it","graph":\#(threeTaskGraph)}"#)
                let runID = try #require(created.json?["id"]?.stringValue)
                let run = try await server.waitForRun(runID, key: key)
                #expect(run["status"]?.stringValue == "succeeded")
                let authorizations = Set(server.provider.recordedRequests().compactMap { request in
                    request.headers.first { $0.name.lowercased() == "authorization" }?.value
                })
                #expect(authorizations == [expected])

                // The gateway too.
                server.provider.clearRecordedRequests()
                let chat = try await server.request(
                    .POST, "/v1/chat/completions", key: key, body: #"{"model":"kimi-k2.6","messages":[{"role":"user","content":"hi"}]}"#)
                #expect(chat.status == 200, "\(chat.body)")
                #expect(server.provider.lastRequest?.headers.first { $0.name.lowercased() == "authorization" }?.value == expected)
            }
        }
    }
}
