import Foundation
import KimiSwarmCore
import KimiSwarmEngine
import KimiSwarmTesting
import Testing

/// A model whose every call takes `step` of the engine's (manual) clock.
private struct SlowOnTheClock: ChatModel {
    let base: any ChatModel
    let clock: ManualClock
    let step: Duration

    func chat(_ request: ChatRequest) async throws -> ChatResponse {
        clock.advance(by: step)
        return try await base.chat(request)
    }

    func chatStream(_ request: ChatRequest) -> ChatStream {
        clock.advance(by: step)
        return base.chatStream(request)
    }
}

@Suite("Engine time: limits and timings on the engine's clock")
struct WallTimeLimitTests {
    @Test("a run's wall-time limit stops it on the engine's clock, with no real waiting; timings come from the same clock")
    func wallTimeOnTheEngineClock() async throws {
        try await LoopbackProviderServer.withServer { server in
            let clock = ManualClock()
            var engine = try makeEngine(server, library: TemplateLibrary(templates: [template("t")]))
            engine.model = SlowOnTheClock(base: engine.model, clock: clock, step: .seconds(40))
            engine.clock = clock
            // Three sub-agents in a chain: each call takes 40 s, the run may take 60 s, so the
            // third does no work.
            let graph = TaskGraph(tasks: [
                SubTask(id: "a", template: "t", instructions: "first"),
                SubTask(id: "b", template: "t", instructions: "second", dependsOn: ["a"]),
                SubTask(id: "c", template: "t", instructions: "third", dependsOn: ["b"]),
            ])
            var limits = RunLimits()
            limits.maxWallSeconds = 60
            let (result, events) = await runCollecting(engine.makeRun(RunSpec(task: "t", source: .graph(graph), limits: limits)))
            #expect(result.limitsHit.contains("max_wall_time"), "\(result.limitsHit)")
            #expect(Set(events.compactMap(\.event.agentFinished)) == ["a", "b"])
            let seconds = Dictionary(uniqueKeysWithValues: result.agents.map { ($0.id, $0.seconds) })
            #expect(seconds["a"] == 40)
            #expect(seconds["b"] == 40)
            // Event dates are the clock's too.
            #expect(events.allSatisfy { $0.time >= clock.epoch && $0.time <= clock.date() })
        }
    }
}
