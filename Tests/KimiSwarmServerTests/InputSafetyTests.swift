import AsyncHTTPClient
import Foundation
import KimiSwarmCore
import KimiSwarmEngine
@testable import KimiSwarmPlatform
import KimiSwarmServer
import KimiSwarmStore
import KimiSwarmTesting
import NIOCore
import NIOHTTP1
import Testing

/// The findings of the attack on the server (issue 14) about input and work, replayed: no
/// number traps the process, no request does unbounded work, lax input is refused.
@Suite("Security regressions: input and work")
struct InputSafetyTests {
    @Test("max_wall_seconds 1e308 is refused; a stored spec with it fails its run and the worker lives on")
    func hugeWallTime() async throws {
        try await withTestServer(.sqlite, workers: 1) { server in
            let (tenantID, key) = try await server.tenant()
            let refused = try await server.request(.POST, "/api/v1/runs", key: key, body: #"{"task":"x","budgets":{"max_wall_seconds":1e308}}"#)
            #expect(refused.status == 422)
            #expect(refused.json?["error"]?["message"]?.stringValue?.contains("budgets.max_wall_seconds") == true)

            // As if written by an older version: the worker reads it back, refuses it, and goes on.
            var limits = RunLimits()
            limits.maxWallSeconds = 1e308
            let spec = String(decoding: try JSONEncoder().encode(RunSpec(task: "x", source: .planner, limits: limits)), as: UTF8.self)
            let runID = "run-huge-\(UUID().uuidString.prefix(8).lowercased())"
            _ = try await server.store.runs.submit(
                RunSubmission(
                    tenantID: tenantID, id: runID, task: "x", spec: spec,
                    jobPayload: #"{"run_id":"\#(runID)","tenant_id":"\#(tenantID)"}"#))
            let run = try await server.waitForRun(runID, key: key)
            #expect(run["status"]?.stringValue == "failed")
            #expect(try await server.request(.GET, "/health").status == 200)
            // And the next run still runs.
            let next = try await server.request(.POST, "/api/v1/runs", key: key, body: #"{"task":"Design it","graph":\#(threeTaskGraph)}"#)
            #expect(next.status == 202)
            #expect(try await server.waitForRun(try #require(next.json?["id"]?.stringValue), key: key)["status"]?.stringValue == "succeeded")
        }
    }

    @Test("a run whose worker died on every attempt is failed, with the reason, instead of retried forever")
    func deadLetteredRunsFail() async throws {
        try await LoopbackProviderServer.withServer { provider in
            try await withFreshLocation(.sqlite) { location in
                let runID = "run-crash-\(UUID().uuidString.prefix(8).lowercased())"
                let (tenantID, key) = try await withTestServer(at: location, provider: provider, workers: 0) { server in
                    let (tenantID, key) = try await server.tenant()
                    let spec = String(decoding: try JSONEncoder().encode(RunSpec(task: "x")), as: UTF8.self)
                    _ = try await server.store.runs.submit(
                        RunSubmission(
                            tenantID: tenantID, id: runID, task: "x", spec: spec,
                            jobPayload: #"{"run_id":"\#(runID)","tenant_id":"\#(tenantID)"}"#, maxAttempts: 1))
                    // A worker claims it and "crashes": its lease runs out with no outcome.
                    let claimed = try #require(
                        try await server.store.jobs.claim(queue: "runs", workerID: "crashed", leaseDuration: .milliseconds(1)))
                    // Wait (polled) until the 1 ms lease is over by the wall clock the store reads.
                    while Date() <= claimed.lease.expiresAt { await Task.yield() }
                    return (tenantID, key)
                }
                try await withTestServer(at: location, provider: provider, workers: 1) { server in
                    let run = try await server.waitForRun(runID, key: key)
                    #expect(run["status"]?.stringValue == "failed")
                    let result = try await server.request(.GET, "/api/v1/runs/\(runID)/result", key: key)
                    #expect(result.body.contains("worker stopped"))
                    #expect(try await server.store.jobs.jobs(tenantID: tenantID, status: .dead).count == 1)
                    #expect(provider.requestCount == 0)
                }
            }
        }
    }

    @Test("estimates are bounded by the budgets' ranges and the plan's caps, and answer at once")
    func boundedEstimates() async throws {
        try await withTestServer(.sqlite, workers: 0) { server in
            let (_, key) = try await server.tenant()
            let started = ContinuousClock.now
            let huge = try await server.request(.POST, "/api/v1/runs/estimate", key: key, body: #"{"task":"x","budgets":{"max_sub_agents":1000000000}}"#)
            #expect(huge.status == 422 && huge.json?["error"]?["message"]?.stringValue?.contains("budgets.max_sub_agents") == true)
            let largest = try await server.request(.POST, "/api/v1/runs/estimate", key: key, body: #"{"task":"x","budgets":{"max_sub_agents":1000}}"#)
            #expect(largest.status == 200)
            #expect(ContinuousClock.now - started < .seconds(10))
            // The free plan allows 10 sub-agents per run: estimates say so as admission does.
            let (_, free) = try await server.tenant(plan: "free")
            let capped = try await server.request(.POST, "/api/v1/runs/estimate", key: free, body: #"{"task":"x","budgets":{"max_sub_agents":50}}"#)
            #expect(capped.status == 422 && capped.errorType == "quota_exceeded")
            let fits = try await server.request(.POST, "/api/v1/runs/estimate", key: free, body: #"{"task":"x"}"#)
            #expect(fits.status == 200)
        }
    }

    @Test("a template whose aliases expand to millions of nodes is refused at once, and the server answers on")
    func templateAliasBomb() async throws {
        try await withTestServer(.sqlite, workers: 0) { server in
            let (_, key) = try await server.tenant(role: .developer)
            var lines = [
                "id: laughs", "name: Laughs", "category: test", "purpose: Laughs.", "model_tier: fast", "system_prompt: You laugh.",
                "output_schema:", "  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
            ]
            for level in 1...9 { lines.append("  l\(level): &l\(level) [\(Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ", "))]") }
            let body = String(decoding: try JSONEncoder().encode(["definition": lines.joined(separator: "\n")]), as: UTF8.self)
            let started = ContinuousClock.now
            let answer = try await server.request(.POST, "/api/v1/templates", key: key, body: body)
            #expect(answer.status == 422 && answer.body.contains("expands to more than"), "\(answer.status) \(answer.body)")
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(try await server.request(.GET, "/health").status == 200)
        }
    }

    @Test("out-of-range numbers, non-JSON types and lax JSON are refused before anything is sent upstream")
    func inputRefused() async throws {
        try await withTestServer(.sqlite, workers: 0) { server in
            let (_, key) = try await server.tenant(role: .developer)
            let chat = #"{"model":"kimi-k2.6","messages":[{"role":"user","content":"hi"}]"#
            for (extra, param) in [
                (#","max_tokens":1000000000"#, "max_tokens"), (#","max_tokens":-5"#, "max_tokens"), (#","temperature":-3"#, "temperature"),
                (#","top_p":2"#, "top_p"), (#","max_completion_tokens":0"#, "max_completion_tokens"), (#","presence_penalty":1e308"#, "presence_penalty"),
            ] {
                let answer = try await server.request(.POST, "/v1/chat/completions", key: key, body: chat + extra + "}")
                #expect(answer.status == 400 && answer.json?["error"]?["param"]?.stringValue == param, "\(extra) → \(answer.status) \(answer.body)")
            }
            for (budgets, field) in [
                (#"{"max_tokens":1000000000}"#, "max_tokens"), (#"{"max_cost_usd":1e30}"#, "max_cost_usd"), (#"{"concurrency":1000000000}"#, "concurrency"),
                (#"{"max_cost_usd":"1e30"}"#, "max_cost_usd"), (#"{"max_tool_calls":-1}"#, "max_tool_calls"),
            ] {
                let answer = try await server.request(.POST, "/api/v1/runs", key: key, body: #"{"task":"x","budgets":\#(budgets)}"#)
                #expect([400, 422].contains(answer.status) && answer.body.contains("budgets.\(field)"), "\(budgets) → \(answer.status) \(answer.body)")
            }
            let run = #"{"task":"x"}"#
            #expect(try await server.request(.POST, "/api/v1/runs", key: key, body: run, headers: ["Content-Type": "application/jsonx"]).status == 415)
            #expect(try await server.request(.POST, "/api/v1/runs", key: key, body: run, headers: ["Content-Type": "text/plain"]).status == 415)
            #expect(try await server.request(.POST, "/api/v1/runs", key: key, body: run, headers: ["Content-Type": "application/json; charset=latin1"]).status == 415)
            var request = HTTPClientRequest(url: server.baseURL + "/api/v1/runs")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(key)")
            request.body = .bytes(.init(string: run))
            let untyped = try await testHTTPClient.execute(request, timeout: .seconds(10))
            #expect(untyped.status.code == 415)
            for body in [#"{"task":"x",}"#, #"{"task":"x","task":"y"}"#, #"{"task":"x","budgets":{"concurrency":2,}}"#, #"{"task":"x"} trailing"#, "{'task':'x'}"] {
                let answer = try await server.request(.POST, "/api/v1/runs", key: key, body: body)
                #expect(answer.status == 400, "\(body) → \(answer.status)")
            }
            let duplicate = try await server.request(.POST, "/v1/chat/completions", key: key, body: #"{"model":"a","model":"b","messages":[{"role":"user","content":"hi"}]}"#)
            #expect(duplicate.status == 400 && duplicate.body.contains("appears twice"))
            let embeddings = try await server.request(.POST, "/v1/embeddings", key: key, body: #"{"input":"hi"}"#)
            #expect(embeddings.status == 400 && embeddings.json?["error"]?["param"]?.stringValue == "model")
            #expect(server.provider.requestCount == 0)
        }
    }
}
