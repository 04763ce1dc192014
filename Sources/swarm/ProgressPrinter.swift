import Foundation
import KimiSwarmCore
import KimiSwarmEngine
import Synchronization

/// Shows a run's progress on stderr: on a terminal, a block redrawn in place (one line per
/// active sub-agent and an overall bar); otherwise one plain line per event that matters.
final class ProgressPrinter: Sendable {
    private struct Agent {
        var template: String
        var status: String
        var tokens: Int
        var estimated: Bool
        var cost: Decimal
        var tools: Int
    }

    private struct State {
        var started = ContinuousClock.now
        var order: [String] = []
        var agents: [String: Agent] = [:]
        var planned = 0
        var usage = Usage.zero
        var cost: Decimal = 0
        var drawnLines = 0
        var lastDraw = ContinuousClock.now - .seconds(1)
        var phase = "planning"
    }

    private let interactive: Bool
    private let state = Mutex(State())

    init(interactive: Bool) {
        self.interactive = interactive
    }

    func handle(_ envelope: RunEventEnvelope) {
        let line: String? = state.withLock { state in
            let elapsed = String(format: "%6.1fs", (ContinuousClock.now - state.started).secondsValue)
            switch envelope.event {
            case .started(_, let resumed, let replayed):
                return resumed ? "\(elapsed) resuming: \(replayed) finished steps come from the journal" : nil
            case .planned(let graph):
                state.planned = graph.tasks.count
                state.phase = "running"
                return "\(elapsed) planned \(graph.tasks.count) sub-agents: \(graph.tasks.map(\.id).joined(separator: ", "))"
            case .agentStarted(let agent, let template, let depth, let parent):
                if state.agents[agent] == nil { state.order.append(agent) }
                state.agents[agent] = Agent(template: template, status: "running", tokens: 0, estimated: true, cost: 0, tools: 0)
                return "\(elapsed) started \(agent) (\(template))" + (parent.map { ", delegated by \($0) at depth \(depth)" } ?? "")
            case .tokenDelta(let agent, let text):
                state.agents[agent]?.tokens += max(1, text.utf8.count / 4)
                return nil
            case .toolCall(let agent, let tool, _, _):
                state.agents[agent]?.tools += 1
                return interactive ? nil : "\(elapsed) \(agent) calls \(tool)"
            case .toolResult:
                return nil
            case .agentFinished(let agent, _, let usage, let cost, let seconds):
                state.agents[agent]?.status = "done"
                state.agents[agent]?.tokens = usage.totalTokens
                state.agents[agent]?.estimated = false
                state.agents[agent]?.cost = cost
                return "\(elapsed) finished \(agent) · \(usage.totalTokens) tokens · $\(UsageSummary.format(cost: cost)) · \(String(format: "%.1f", seconds)) s"
            case .agentFailed(let agent, let error, let willRetry):
                state.agents[agent]?.status = willRetry ? "retrying" : "failed"
                return "\(elapsed) \(willRetry ? "retrying" : "failed") \(agent): \(error)"
            case .costUpdate(let usage, let cost, _, _):
                state.usage = usage
                state.cost = cost
                return nil
            case .budgetWarning(let limit, let used, let maximum):
                return "\(elapsed) budget \(limit): \(used) of \(maximum)"
            case .synthesisStarted:
                state.phase = "synthesising"
                return "\(elapsed) synthesising"
            case .finished:
                return nil
            }
        }
        if interactive {
            redraw(force: line != nil, log: line)
        } else if let line {
            write(line + "\n")
        }
    }

    func finish(_ result: RunResult) {
        if interactive { redraw(force: true, log: nil, final: true) }
        let measures = result.measures
        var summary = "run \(result.runID) \(result.status.rawValue) · \(result.agents.filter { $0.state == .completed }.count)/\(result.agents.count) sub-agents"
        summary += " · \(result.llmCalls) model calls · \(result.toolCalls) tool calls · \(result.usage.totalTokens) tokens · $\(UsageSummary.format(cost: result.costUSD))"
        summary += String(format: " · wall %.1f s, critical path %.1f s", measures.wallSeconds, measures.criticalPathSeconds)
        if result.replayedSteps > 0 { summary += " · \(result.replayedSteps) steps replayed" }
        if !result.limitsHit.isEmpty { summary += " · limits hit: \(result.limitsHit.joined(separator: ", "))" }
        if let error = result.error, result.status != .completed { summary += "\n  \(error)" }
        write(summary + "\n")
    }

    private func redraw(force: Bool, log: String?, final: Bool = false) {
        let text: String? = state.withLock { state in
            let now = ContinuousClock.now
            guard force || now - state.lastDraw >= .milliseconds(100) else { return nil }
            state.lastDraw = now
            var output = state.drawnLines > 0 ? "\u{1B}[\(state.drawnLines)A\u{1B}[J" : ""
            if let log { output += log + "\n" }
            guard !final else {
                state.drawnLines = 0
                return output
            }
            let done = state.agents.values.filter { $0.status == "done" }.count
            let total = max(state.planned, state.agents.count)
            let width = 24
            let filled = total == 0 ? 0 : min(width, width * done / total)
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let elapsed = String(format: "%.1f", (now - state.started).secondsValue)
            var lines = [
                "\(bar) \(state.phase) \(done)/\(total) · \(state.usage.totalTokens) tokens · $\(UsageSummary.format(cost: state.cost)) · \(elapsed) s"
            ]
            let active = state.order.filter { state.agents[$0]?.status != "done" }
            for id in active.prefix(20) {
                guard let agent = state.agents[id] else { continue }
                let tokens = agent.estimated ? "~\(agent.tokens)" : "\(agent.tokens)"
                lines.append(
                    "  \(pad(id, 22)) \(pad(agent.template, 24)) \(pad(agent.status, 8)) \(pad(tokens, 8)) tok  $\(UsageSummary.format(cost: agent.cost))  \(agent.tools) tools")
            }
            if active.count > 20 { lines.append("  … and \(active.count - 20) more") }
            state.drawnLines = lines.count
            return output + lines.joined(separator: "\n") + "\n"
        }
        if let text { write(text) }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? String(text.prefix(width)) : text + String(repeating: " ", count: width - text.count)
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

extension Duration {
    var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
