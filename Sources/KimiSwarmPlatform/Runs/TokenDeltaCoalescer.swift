package import KimiSwarmEngine

/// Merges each agent's streamed token deltas into fewer events before they are stored: a
/// streamed answer becomes a handful of rows instead of one per token, and a reader that
/// replays a run (the run view, an SSE client resuming) reads that much less.
///
/// An agent's buffered text is written before that agent's next other event (so each agent's
/// order is kept), when it reaches ``maxBytes``, once it is ``window`` old (checked on every
/// event of the run), and before any event of the run as a whole (cost, synthesis, finished).
package struct TokenDeltaCoalescer {
    package let maxBytes: Int
    package let window: Duration

    package init(maxBytes: Int = 2048, window: Duration = .milliseconds(100)) {
        self.maxBytes = maxBytes
        self.window = window
    }

    private struct Buffer {
        var text: String
        var started: Duration
    }

    private var buffers: [String: Buffer] = [:]
    /// Agents in the order their buffers were started (so flushes keep that order).
    private var order: [String] = []

    /// The events to store now, in order, given the next event of the run.
    package mutating func add(_ event: RunEvent, now: Duration) -> [RunEvent] {
        var out = flushExpired(now: now)
        switch event {
        case .tokenDelta(let agent, let text):
            if buffers[agent] == nil {
                buffers[agent] = Buffer(text: "", started: now)
                order.append(agent)
            }
            buffers[agent]!.text += text
            if buffers[agent]!.text.utf8.count >= maxBytes { out += flush(agent) }
        case .agentStarted(let agent, _, _, _), .toolCall(let agent, _, _, _), .toolResult(let agent, _, _, _, _),
            .agentFinished(let agent, _, _, _, _), .agentFailed(let agent, _, _):
            out += flush(agent) + [event]
        default:
            out += flushAll() + [event]
        }
        return out
    }

    /// Everything still buffered (at the end of the run's events).
    package mutating func flushAll() -> [RunEvent] {
        let agents = order
        return agents.flatMap { flush($0) }
    }

    private mutating func flushExpired(now: Duration) -> [RunEvent] {
        let expired = order.filter { buffers[$0].map { now - $0.started >= window } ?? false }
        return expired.flatMap { flush($0) }
    }

    private mutating func flush(_ agent: String) -> [RunEvent] {
        guard let buffer = buffers.removeValue(forKey: agent) else { return [] }
        order.removeAll { $0 == agent }
        return buffer.text.isEmpty ? [] : [.tokenDelta(agent: agent, text: buffer.text)]
    }
}
