import Foundation
import KimiSwarmCore
import KimiSwarmEngine
@testable import KimiSwarmPlatform
import Testing

/// The stored and streamed JSON of run events: the fields clients (and the dashboard script)
/// read, and a round trip back to the typed value.
@Suite("Run event payloads")
struct RunEventPayloadTests {
    static let usage = Usage(promptTokens: 100, completionTokens: 20)

    @Test("each engine event becomes the JSON clients read, and reads back as the same payload")
    func wireFormat() throws {
        let cases: [(KimiSwarmEngine.RunEvent, String, String)] = [
            (.started(task: "Do it", resumed: false, replayedSteps: 0), "started", #"{"replayed_steps":0,"resumed":false,"task":"Do it"}"#),
            (.agentStarted(agent: "a", template: "t", depth: 1, parent: nil), "agent_started", #"{"agent":"a","depth":1,"parent":null,"template":"t"}"#),
            (.agentStarted(agent: "b", template: "t", depth: 2, parent: "a"), "agent_started", #"{"agent":"b","depth":2,"parent":"a","template":"t"}"#),
            (.tokenDelta(agent: "a", text: "hi/there"), "token_delta", #"{"agent":"a","text":"hi/there"}"#),
            (.toolResult(agent: "a", tool: "http_get", isError: true, preview: "x", step: "a/1"), "tool_result",
             #"{"agent":"a","is_error":true,"preview":"x","step":"a/1","tool":"http_get"}"#),
            (.agentFinished(agent: "a", answer: "done", usage: Self.usage, costUSD: Decimal(string: "0.0105")!, seconds: 1.5), "agent_finished",
             #"{"agent":"a","answer":"done","cost_usd":"0.0105","seconds":1.5,"usage":{"cached_prompt_tokens":0,"completion_tokens":20,"prompt_tokens":100,"reasoning_tokens":0,"total_tokens":120}}"#),
            (.agentFailed(agent: "a", error: "boom", willRetry: true), "agent_failed", #"{"agent":"a","error":"boom","will_retry":true}"#),
            (.budgetWarning(limit: "max_tokens", used: "80", maximum: "100"), "budget_warning", #"{"limit":"max_tokens","maximum":"100","used":"80"}"#),
            (.synthesisStarted, "synthesis_started", "{}"),
        ]
        for (event, type, json) in cases {
            let payload = RunEventPayload(event)
            #expect(payload.type == type)
            #expect(payload.encoded() == json)
            #expect(RunEventPayload(type: type, data: payload.encoded()) == payload, "\(type)")
        }
    }

    @Test("`finished` carries the engine's totals with an explicit error, or only the stored status and why")
    func finished() throws {
        let ended = RunEventPayload.finished(.init(status: "cancelled", error: "run cancelled before it started"))
        #expect(ended.encoded() == #"{"error":"run cancelled before it started","status":"cancelled"}"#)
        #expect(RunEventPayload(type: "finished", data: ended.encoded()) == ended)
        let engine = RunEventPayload.finished(
            .init(
                status: "completed", error: nil,
                totals: .init(limitsHit: [], usage: .init(Self.usage), costUSD: "0.5", llmCalls: 4, toolCalls: 2, replayedSteps: 1)))
        let object = try JSONValue(parsing: engine.encoded())
        #expect(object["status"] == "completed")
        #expect(object["error"] == .null)
        #expect(object["cost_usd"] == "0.5")
        #expect(object["llm_calls"] == 4 && object["tool_calls"] == 2 && object["replayed_steps"] == 1)
        #expect(object["usage"]?["total_tokens"] == 120)
        #expect(RunEventPayload(type: "finished", data: engine.encoded()) == engine)
        #expect(RunEventPayload(type: "no_such_type", data: "{}") == nil)
    }
}
