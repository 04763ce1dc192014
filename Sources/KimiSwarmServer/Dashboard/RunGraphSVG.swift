import Foundation
import KimiSwarmEngine
import KimiSwarmPlatform

/// Draws a run's plan as a graph: one column per dependency level, sub-agents as nodes (their
/// `data-state` colours them through the stylesheet), dependencies as edges, and a final
/// synthesis node fed by every sub-agent nothing else depends on. The page's script changes
/// states live and marks the critical path; node and edge ids are the graph's own.
enum RunGraphSVG {
    /// A node's state as the stylesheet and the script name it.
    enum State: String {
        case pending, running, done, failed, skipped
    }

    static let synthesisID = "synthesis"

    struct Layout {
        var columns: [[SubTask]]
        var position: [String: (x: Double, y: Double)]
        var width: Double
        var height: Double
    }

    static let nodeWidth = 168.0, nodeHeight = 46.0, columnGap = 64.0, rowGap = 18.0, margin = 12.0

    /// Columns by longest dependency chain, positions centred per column.
    static func layout(_ graph: TaskGraph) -> Layout {
        var level: [String: Int] = [:]
        for task in graph.topologicalOrder {
            level[task.id] = (task.dependsOn.compactMap { level[$0] }.max() ?? -1) + 1
        }
        let columnCount = (level.values.max() ?? -1) + 1
        var columns = Array(repeating: [SubTask](), count: columnCount)
        for task in graph.tasks { columns[level[task.id] ?? 0].append(task) }
        let tallest = max(1, columns.map(\.count).max() ?? 1)
        let height = margin * 2 + Double(tallest) * nodeHeight + Double(tallest - 1) * rowGap
        var position: [String: (x: Double, y: Double)] = [:]
        for (index, column) in columns.enumerated() {
            let columnHeight = Double(column.count) * nodeHeight + Double(max(0, column.count - 1)) * rowGap
            var y = (height - columnHeight) / 2
            let x = margin + Double(index) * (nodeWidth + columnGap)
            for task in column {
                position[task.id] = (x, y)
                y += nodeHeight + rowGap
            }
        }
        position[synthesisID] = (margin + Double(columnCount) * (nodeWidth + columnGap), (height - nodeHeight) / 2)
        let width = margin * 2 + Double(columnCount + 1) * nodeWidth + Double(columnCount) * columnGap
        return Layout(columns: columns, position: position, width: width, height: height)
    }

    /// `critical`: the ids of the critical path in order (a finished run's, from its result).
    static func svg(_ graph: TaskGraph, states: [String: State] = [:], critical: [String] = []) -> HTML {
        let layout = layout(graph)
        let onPath = Set(critical)
        let criticalEdges = Set(zip(critical, critical.dropFirst()).map { "\($0.0)>\($0.1)" })
        let dependedOn = Set(graph.tasks.flatMap(\.dependsOn))
        var edges: [HTML] = []
        func edge(_ from: String, _ to: String) {
            guard let start = layout.position[from], let end = layout.position[to] else { return }
            let x1 = start.x + nodeWidth, y1 = start.y + nodeHeight / 2, x2 = end.x, y2 = end.y + nodeHeight / 2
            let bend = (x2 - x1) / 2
            let style = criticalEdges.contains("\(from)>\(to)") ? "edge critical" : "edge"
            edges.append(
                "<path class=\"\(style)\" data-from=\"\(from)\" data-to=\"\(to)\" d=\"M\(x1) \(y1) C\(x1 + bend) \(y1), \(x2 - bend) \(y2), \(x2) \(y2)\"/>")
        }
        for task in graph.tasks {
            for dependency in task.dependsOn { edge(dependency, task.id) }
            if !dependedOn.contains(task.id) { edge(task.id, synthesisID) }
        }
        var nodes: [HTML] = []
        for task in graph.tasks {
            nodes.append(
                node(
                    id: task.id, title: task.id, subtitle: task.template, state: states[task.id] ?? .pending, critical: onPath.contains(task.id),
                    at: layout.position[task.id]!))
        }
        nodes.append(
            node(
                id: synthesisID, title: "synthesis", subtitle: "final report", state: states[synthesisID] ?? .pending,
                critical: onPath.contains(synthesisID), at: layout.position[synthesisID]!))
        let dependencies = graph.tasks.map { "\($0.id):\($0.dependsOn.joined(separator: ","))" }.joined(separator: ";")
        return """
            <svg id="run-graph" class="graph" viewBox="0 0 \(layout.width) \(layout.height)" width="\(layout.width)" height="\(layout.height)" \
            role="img" aria-label="The run's plan: \(graph.tasks.count) sub-agents" data-dependencies="\(dependencies)">
            <defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrow" d="M0 0 L8 4 L0 8 z"/></marker></defs>
            <g class="edges">\(edges)</g><g class="nodes">\(nodes)</g></svg>
            """
    }

    private static func node(id: String, title: String, subtitle: String, state: State, critical: Bool, at point: (x: Double, y: Double)) -> HTML {
        let shortTitle = title.count > 22 ? String(title.prefix(21)) + "…" : title
        let shortSubtitle = subtitle.count > 26 ? String(subtitle.prefix(25)) + "…" : subtitle
        return """
            <g class="\(critical ? "node critical" : "node")" data-agent="\(id)" data-state="\(state.rawValue)" tabindex="0" role="button" aria-label="\(title) (\(subtitle))" \
            transform="translate(\(point.x) \(point.y))"><title>\(title) · \(subtitle)</title>\
            <rect width="\(nodeWidth)" height="\(nodeHeight)" rx="8"/>\
            <circle class="dot" cx="14" cy="\(nodeHeight / 2)" r="5"/>\
            <text class="title" x="26" y="20">\(shortTitle)</text><text class="subtitle" x="26" y="36">\(shortSubtitle)</text></g>
            """
    }

    static func state(_ outcome: AgentOutcome.State) -> State {
        switch outcome {
        case .completed: return .done
        case .failed: return .failed
        case .skipped: return .skipped
        case .notStarted: return .pending
        }
    }

    /// Node states of a finished run, from its stored result.
    static func states(of result: RunResult) -> [String: State] {
        var states: [String: State] = [:]
        for agent in result.agents { states[agent.id] = state(agent.state) }
        switch result.status {
        case .completed, .partial: states[synthesisID] = result.answer == nil ? .failed : .done
        case .failed: states[synthesisID] = result.answer == nil ? .failed : .done
        case .cancelled: states[synthesisID] = result.answer == nil ? .skipped : .done
        }
        return states
    }
}
