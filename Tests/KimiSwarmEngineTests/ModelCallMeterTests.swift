import Foundation
import KimiSwarmCore
import KimiSwarmEngine
import KimiSwarmTesting
import Synchronization
import Testing

/// A meter that remembers every call handed to it; with `hits`, it reports each call as
/// answered by the response cache (cost 0).
private final class RecordingMeter: ModelCallMeter {
    let hits: Bool
    private let sites = Mutex<[ModelCallSite]>([])

    init(hits: Bool = false) { self.hits = hits }

    var calls: [ModelCallSite] { sites.withLock { $0 } }

    func meter(_ site: ModelCallSite, pricing: any CallPricer, call: @Sendable () async throws -> ChatResponse) async throws
        -> MeteredResponse
    {
        let response = try await call()
        sites.withLock { $0.append(site) }
        return MeteredResponse(response: response, costUSD: hits ? 0 : pricing.cost(of: response), cacheHit: hits)
    }
}

@Suite("Model call meter")
struct ModelCallMeterTests {
    static let graph = TaskGraph(tasks: [
        SubTask(id: "a", template: "t", instructions: "first"),
        SubTask(id: "b", template: "t", instructions: "second", dependsOn: ["a"]),
    ])

    @Test("each real call is handed to the meter with its run, step and agent; a replayed run hands over none")
    func replayIsNotMeteredAgain() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.setResponder(SwarmScript().respond)
            let meter = RecordingMeter()
            let journal = InMemoryJournal()
            var engine = try makeEngine(server, journal: journal, library: TemplateLibrary(templates: [template("t")]))
            engine.meter = meter
            let spec = RunSpec(task: "audit", source: .graph(Self.graph))
            let (first, _) = await runCollecting(engine.makeRun(spec, runID: "run_metered"))
            #expect(first.status == .completed)
            let calls = meter.calls
            #expect(calls.count == first.llmCalls && calls.count == server.requestCount)
            #expect(Set(calls.map(\.agentID)) == ["a", "b", "synthesis"])
            #expect(calls.allSatisfy { $0.runID == "run_metered" && $0.stepID.hasSuffix("llm") })
            let entries = try await journal.entries(runID: "run_metered").filter { $0.kind == .llm }
            #expect(Set(entries.map(\.stepID)) == Set(calls.map(\.stepID)))

            // The same run again: every step comes from the journal, nothing is metered or paid again.
            let (again, _) = await runCollecting(try await engine.resume(runID: "run_metered"))
            #expect(again.status == .completed)
            #expect(meter.calls.count == calls.count)
            #expect(server.requestCount == calls.count)
            #expect(again.costUSD == first.costUSD && first.costUSD > 0)
        }
    }

    @Test("the meter's cost is what the budget and the journal count: calls the cache answered cost 0")
    func meterCostCounts() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.setResponder(SwarmScript().respond)
            let journal = InMemoryJournal()
            var engine = try makeEngine(server, journal: journal, library: TemplateLibrary(templates: [template("t")]))
            engine.meter = RecordingMeter(hits: true)
            let (result, _) = await runCollecting(engine.makeRun(RunSpec(task: "audit", source: .graph(Self.graph)), runID: "run_hits"))
            #expect(result.status == .completed)
            #expect(result.costUSD == 0 && result.usage.totalTokens > 0)
            #expect(try await journal.entries(runID: "run_hits").allSatisfy { $0.costUSD == 0 })
            #expect(result.agents.allSatisfy { $0.costUSD == 0 })
        }
    }
}
