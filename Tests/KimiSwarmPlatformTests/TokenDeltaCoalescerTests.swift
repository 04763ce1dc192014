import KimiSwarmCore
import KimiSwarmEngine
import Testing

@testable import KimiSwarmPlatform

@Suite("Token deltas are merged before they are stored")
struct TokenDeltaCoalescerTests {
    static let start = Duration.seconds(1_000)

    static func text(_ events: [RunEvent]) -> [String] {
        events.map { event in
            switch event {
            case .tokenDelta(let agent, let text): return "\(agent):\(text)"
            case .agentFinished(let agent, _, _, _, _): return "\(agent) finished"
            case .toolCall(let agent, let tool, _, _): return "\(agent) calls \(tool)"
            case .synthesisStarted: return "synthesis"
            default: return "other"
            }
        }
    }

    @Test("each agent's deltas become one event, written before that agent's next event, in order")
    func mergesPerAgent() {
        var coalescer = TokenDeltaCoalescer()
        var out: [RunEvent] = []
        let at = Self.start
        for (agent, piece) in [("a", "Hel"), ("b", "Wor"), ("a", "lo"), ("b", "ld")] {
            out += coalescer.add(.tokenDelta(agent: agent, text: piece), now: at)
        }
        #expect(out.isEmpty)
        out += coalescer.add(.toolCall(agent: "a", tool: "http_get", arguments: "{}", step: "1"), now: at)
        #expect(Self.text(out) == ["a:Hello", "a calls http_get"])
        out += coalescer.add(.tokenDelta(agent: "a", text: "!"), now: at)
        out += coalescer.add(.synthesisStarted, now: at)
        #expect(Self.text(out) == ["a:Hello", "a calls http_get", "b:World", "a:!", "synthesis"])
        #expect(coalescer.flushAll().isEmpty)
    }

    @Test("a buffer is written when it is full, when it is older than the window, and at the end")
    func limits() {
        var coalescer = TokenDeltaCoalescer(maxBytes: 10, window: .milliseconds(100))
        #expect(Self.text(coalescer.add(.tokenDelta(agent: "a", text: "0123456789AB"), now: Self.start)) == ["a:0123456789AB"])
        #expect(coalescer.add(.tokenDelta(agent: "a", text: "x"), now: Self.start).isEmpty)
        #expect(coalescer.add(.tokenDelta(agent: "b", text: "y"), now: Self.start + .milliseconds(50)).isEmpty)
        // 120 ms on, a's buffer is too old and goes out first; b's is 70 ms old and waits.
        #expect(Self.text(coalescer.add(.tokenDelta(agent: "b", text: "z"), now: Self.start + .milliseconds(120))) == ["a:x"])
        #expect(Self.text(coalescer.flushAll()) == ["b:yz"])
    }
}
