import Foundation
import KimiSwarmCore
import KimiSwarmEngine
import KimiSwarmTesting
import Testing

@Suite("Budgets, limits and cancellation")
struct SwarmLimitsTests {
    static func wideGraph(_ count: Int, template: String = "t") -> TaskGraph {
        TaskGraph(tasks: (1...count).map { SubTask(id: "s\($0)", template: template, instructions: "part \($0)") })
    }

    @Test("parallel sub-agents cannot overshoot the cost budget; the run stops, accounts for everything and synthesises, partial")
    func costBudget() async throws {
        try await LoopbackProviderServer.withServer { server in
            let script = SwarmScript(latency: .milliseconds(20))
            server.setResponder(script.respond)
            let journal = InMemoryJournal()
            let engine = try makeEngine(server, journal: journal, library: TemplateLibrary(templates: [template("t")]))
            var limits = RunLimits(concurrency: 20, maxOutputTokensPerCall: 200)
            let pricing = try #require(moonshotPricing.registry.resolvedEntry(provider: .moonshot, model: "kimi-k2.6")?.pricing)
            // Room for the synthesis hold and a handful of agent calls, not for twenty.
            let maximumCall = pricing.cost(of: Usage(promptTokens: 8 * 200, completionTokens: 200))
            limits.maxCostUSD = maximumCall * 4
            let run = engine.makeRun(RunSpec(task: "t", source: .graph(Self.wideGraph(20)), limits: limits))
            let (result, events) = await runCollecting(run)

            #expect(result.status == .partial, "\(result.error ?? "")")
            #expect(result.limitsHit == ["max_cost_usd"])
            #expect(result.answer?.hasPrefix("# Synthesis") == true)
            let completed = result.agents.filter { $0.state == .completed }.count
            #expect(completed > 0 && completed < 20)
            #expect(result.costUSD <= limits.maxCostUSD! + maximumCall)
            // Nothing ran unaccounted: every request the provider saw is a journaled, billed call.
            let entries = try await journal.entries(runID: run.id).filter { $0.kind == .llm }
            #expect(server.requestCount == entries.count)
            #expect(result.llmCalls == entries.count)
            #expect(result.costUSD == entries.reduce(Decimal(0)) { $0 + $1.costUSD })
            #expect(events.contains { if case .budgetWarning("max_cost_usd", _, _) = $0.event { true } else { false } })
        }
    }

    @Test("a budget too small for even the synthesis is refused before any call")
    func budgetTooSmall() async throws {
        try await LoopbackProviderServer.withServer { server in
            let engine = try makeEngine(server, library: TemplateLibrary(templates: [template("t")]))
            let limits = RunLimits(maxCostUSD: Decimal(string: "0.000001")!)
            let (result, _) = await runCollecting(engine.makeRun(RunSpec(task: "t", source: .graph(Self.wideGraph(2)), limits: limits)))
            #expect(result.status == .failed)
            #expect(result.error?.contains("too small for even the synthesis") == true)
            #expect(server.requestCount == 0)
        }
    }

    @Test("token, tool-call and sub-agent limits stop new work")
    func countLimits() async throws {
        try await LoopbackProviderServer.withServer { server in
            let script = SwarmScript { turn in
                turn.toolResults.count < 3 ? .toolCalls([toolCall("c\(turn.toolResults.count)", "current_time")]) : .answer("done")
            }
            server.setResponder(script.respond)
            let engine = try makeEngine(server, library: TemplateLibrary(templates: [template("t", tools: ["current_time"]), template("plain")]))
            var limits = RunLimits(maxToolCalls: 5, concurrency: 1)
            let (tools, _) = await runCollecting(engine.makeRun(RunSpec(task: "t", source: .graph(Self.wideGraph(4)), limits: limits)))
            #expect(tools.status == .partial)
            #expect(tools.limitsHit == ["max_tool_calls"])
            #expect(tools.toolCalls == 5)

            limits = RunLimits(maxSubAgents: 2)
            let (agents, _) = await runCollecting(engine.makeRun(RunSpec(task: "t", source: .graph(Self.wideGraph(4)), limits: limits)))
            #expect(agents.status == .failed)
            #expect(agents.error?.contains("at most 2") == true)

            server.setResponder(SwarmScript().respond)
            // The synthesis holds 4,500 tokens (8 × 500 in, 500 out); each agent call reserves its prompt bound + 500.
            limits = RunLimits(maxTokens: 5_500, concurrency: 1, maxOutputTokensPerCall: 500)
            let (tokens, _) = await runCollecting(engine.makeRun(RunSpec(task: "t", source: .graph(Self.wideGraph(6, template: "plain")), limits: limits)))
            #expect(tokens.status == .partial, "\(tokens.error ?? "")")
            #expect(tokens.limitsHit == ["max_tokens"])
            #expect(tokens.agents.contains { $0.state == .completed }, "\(tokens.agents.map { $0.error ?? "-" })")
            #expect(tokens.usage.totalTokens <= 5_500)
        }
    }

    @Test("the wall-time limit stops new work and still synthesises")
    func wallTime() async throws {
        try await LoopbackProviderServer.withServer { server in
            // The first sub-agent answers at once, every other after 2 s: with 3 s of wall time
            // and one at a time, the first finishes, the second or third runs into the limit.
            let fast = SwarmScript()
            let slow = SwarmScript(latency: .seconds(2))
            server.setResponder { request in
                request.bodyString.contains("# Your assignment (s1)") || !request.bodyString.contains("# Your assignment (")
                    ? fast.respond(request) : slow.respond(request)
            }
            let engine = try makeEngine(server, library: TemplateLibrary(templates: [template("t")]))
            let limits = RunLimits(maxWallSeconds: 3, concurrency: 1)
            let (result, _) = await runCollecting(engine.makeRun(RunSpec(task: "t", source: .graph(Self.wideGraph(6)), limits: limits)))
            #expect(result.status == .partial, "\(result.error ?? "")")
            #expect(result.limitsHit == ["max_wall_time"])
            #expect(result.agents.first?.state == .completed)
            #expect(result.agents.contains { $0.state == .notStarted })
            #expect(result.answer != nil)
        }
    }

    @Test("delegation is bounded by depth and fan-out")
    func delegationLimits() async throws {
        try await LoopbackProviderServer.withServer { server in
            let script = SwarmScript { turn in
                if turn.agentID == "lead", turn.toolResults.isEmpty {
                    return .toolCalls((0..<7).map { toolCall("d\($0)", "delegate", #"{"template":"helper","instructions":"help \#($0)"}"#) })
                }
                if turn.agentID == nil, turn.toolResults.isEmpty, turn.offeredTools.contains("delegate") {
                    return .toolCalls([toolCall("deeper", "delegate", #"{"template":"helper","instructions":"go deeper"}"#)])
                }
                return .answer("answer with \(turn.toolResults.count) tool results; tools: \(turn.offeredTools)")
            }
            server.setResponder(script.respond)
            let library = TemplateLibrary(templates: [template("lead", tools: ["delegate"]), template("helper", tools: ["delegate"])])
            let engine = try makeEngine(server, library: library)
            let limits = RunLimits(maxDepth: 1, maxFanOut: 5)
            let graph = TaskGraph(tasks: [SubTask(id: "lead", template: "lead", instructions: "lead")])
            let (result, events) = await runCollecting(engine.makeRun(RunSpec(task: "t", source: .graph(graph), limits: limits)))
            #expect(result.status == .completed, "\(result.error ?? "")")
            let children = events.filter { if case .agentStarted(_, "helper", 1, "lead") = $0.event { true } else { false } }
            #expect(children.count == 5)
            let refused = events.filter {
                if case .toolResult("lead", "delegate", true, let preview, _) = $0.event { preview.contains("at most 5 times") } else { false }
            }
            #expect(refused.count == 2)
            // At depth 1 (= max depth) the helper is not offered `delegate`.
            let helperRequests = server.recordedRequests().filter { $0.bodyString.contains("Task delegated to you") }
            #expect(helperRequests.count == 5)
            #expect(helperRequests.allSatisfy { !$0.bodyString.contains("\"name\":\"delegate\"") })
        }
    }

    @Test("cancelling a run reaches every sub-agent and closes the upstream connections")
    func cancellation() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.setResponder { request in request.bodyString.contains("# Your assignment (") ? .hang : nil }
            let engine = try makeEngine(server, library: TemplateLibrary(templates: [template("t")]))
            let run = engine.makeRun(RunSpec(task: "t", source: .graph(Self.wideGraph(5)), limits: RunLimits(concurrency: 5)))
            let collector = Task {
                var all: [RunEventEnvelope] = []
                for await event in run.events { all.append(event) }
                return all
            }
            let task = Task { await run.run() }
            #expect(await server.waitForRequests(5, timeout: .seconds(30)))
            task.cancel()
            let result = await task.value
            let events = await collector.value
            #expect(result.status == .cancelled)
            #expect(result.answer == nil)
            #expect(await server.waitForClientDisconnects(5, timeout: .seconds(30)))
            if case .finished = events.last?.event {} else { Issue.record("the event stream did not end with finished") }
        }
    }
}
