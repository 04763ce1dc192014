import Foundation
import HTTPTypes
import Hummingbird
import KimiSwarmCore
import KimiSwarmPlatform
import KimiSwarmEngine
import KimiSwarmStore

/// The live run view: the plan as a graph, per-agent figures, the clicked agent's output, the
/// budget gauge, cancel/resume, and the report. The page's script follows the run over
/// `/runs/{id}/events` (the API's event stream, reached with the session cookie) and fetches
/// the graph and report fragments when the plan and the result arrive.
struct RunViewPage {
    let store: SwarmStore
    let library: TemplateLibrary
    let api: DashboardAPI

    func register(_ pages: RouterGroup<AppRequestContext>) {
        pages.get("runs/:id") { _, context in try await view(context) }
        pages.get("runs/:id/graph") { _, context in
            let (run, result) = try await load(context)
            return Page.response(try await graphBox(run, result))
        }
        pages.get("runs/:id/report") { _, context in
            let (run, result) = try await load(context)
            return Page.response(report(run, result))
        }
        pages.get("runs/:id/report.md") { _, context in
            let id = try await load(context).0.id
            var response = try await api.send(.get, "runs/\(id)/result?format=markdown", context: context)
            if response.status == .ok { response.headers[.contentDisposition] = "attachment; filename=\"run-\(id).md\"" }
            return response
        }
        pages.get("runs/:id/events") { request, context in
            let id = try await load(context).0.id
            var headers: HTTPFields = [:]
            if let last = request.headers[HTTPField.Name("Last-Event-ID")!] { headers[HTTPField.Name("Last-Event-ID")!] = last }
            return try await api.send(.get, "runs/\(id)/events", headers: headers, context: context)
        }
    }

    private func load(_ context: AppRequestContext) async throws -> (RunRecord, RunResult?) {
        let principal = try DashboardAccess.require(.runsRead, context)
        let id = try context.parameters.require("id")
        guard let run = try await store.runs.run(tenantID: principal.tenantID, runID: id) else { throw APIError.notFound("run") }
        let result = run.result.flatMap { try? JSONDecoder().decode(RunResult.self, from: Data($0.utf8)) }
        return (run, result)
    }

    /// The plan: stored with the run when it ended, else the result's, else the ready-made
    /// swarm's, else the planner's from the run's `planned` event (a planner run under way).
    private func graph(_ run: RunRecord, _ result: RunResult?) async throws -> TaskGraph? {
        if let text = run.graph, let graph = try? JSONDecoder().decode(TaskGraph.self, from: Data(text.utf8)) { return graph }
        if let graph = result?.graph { return graph }
        if let swarm = RunDTO.source(of: run.spec).1 { return library.swarms[swarm]?.graph }
        let first = try await store.events.events(tenantID: run.tenantID, runID: run.id, afterSeq: 0, limit: 50)
        guard let planned = first.first(where: { $0.type == "planned" }) else { return nil }
        return (try? JSONDecoder().decode(PlannedGraph.self, from: Data(planned.data.utf8)))?.graph
    }

    private func graphBox(_ run: RunRecord, _ result: RunResult?) async throws -> HTML {
        guard let graph = try await graph(run, result), !graph.tasks.isEmpty else {
            return "<div id=\"graph-box\" class=\"graph-box waiting\"><p class=\"muted\">Waiting for the planner to split the task…</p></div>"
        }
        let finished = run.status.isFinal ? result : nil
        let states = finished.map(RunGraphSVG.states(of:)) ?? [:]
        // The engine's critical path: "plan", the sub-agents, "synthesis".
        let critical = (finished?.measures.criticalPath ?? []).filter { $0 != "plan" }
        let svg = RunGraphSVG.svg(graph, states: states, critical: critical)
        return "<div id=\"graph-box\" class=\"graph-box\" data-planned=\"true\">\(svg)</div>"
    }

    private func report(_ run: RunRecord, _ result: RunResult?) -> HTML {
        guard run.status.isFinal else {
            return "<section id=\"report\" data-run-status=\"\(run.status.rawValue)\"></section>"
        }
        var parts: [HTML] = []
        if let error = result?.error { parts.append("<p class=\"error\">\(error)</p>") }
        if let limits = result?.limitsHit, !limits.isEmpty { parts.append("<p class=\"warning\">Limits reached: \(limits.joined(separator: ", "))</p>") }
        if let answer = result?.answer, !answer.isEmpty {
            parts.append("<article class=\"markdown\">\(Markdown.html(answer))</article>")
        } else {
            parts.append("<p class=\"muted\">The run ended without an answer.</p>")
        }
        return """
            <section id="report" data-run-status="\(run.status.rawValue)"><h2>Report</h2>\(parts)
            <p class="small"><a href="/runs/\(run.id)/report.md">Download the report as Markdown</a></p></section>
            """
    }

    private func view(_ context: AppRequestContext) async throws -> Response {
        let (run, result) = try await load(context)
        let principal = try DashboardAccess.require(.runsRead, context)
        var actions: [HTML] = []
        if principal.allows(.runsWrite) {
            if !run.status.isFinal {
                actions.append(
                    Layout.button(run.cancelRequestedAt == nil ? "Cancel run" : "Cancelling…", action: "/runs/\(run.id)/cancel", context: context, style: "danger",
                        confirm: "Cancel this run? Finished steps stay paid for.", id: "cancel-form"))
            } else if run.status == .failed || run.status == .cancelled {
                actions.append(Layout.button("Resume", action: "/runs/\(run.id)/resume", context: context, style: "primary", id: "resume-form"))
            }
        }
        let budgets = (try? JSONValue(parsing: run.budgets ?? "{}")) ?? [:]
        let maxCost = (budgets["max_cost_usd"]?.stringValue).flatMap { Double($0) }
        let cost = NSDecimalNumber(decimal: run.costUSD).doubleValue
        let source = RunDTO.source(of: run.spec)
        let agentRows = (result?.agents ?? []).map { agent -> HTML in
            """
            <tr data-agent="\(agent.id)"><td>\(agent.id)</td><td>\(agent.template)</td><td>\(RunGraphSVG.state(agent.state).rawValue)</td>\
            <td class="num">\(Layout.number(agent.usage.promptTokens + agent.usage.completionTokens))</td><td class="num">\(Layout.money(agent.costUSD))</td>\
            <td class="num">\(String(format: "%.1f s", agent.seconds))</td><td class="num">\(agent.toolCalls)</td></tr>
            """
        }
        let content: HTML = """
            <main class="run" id="run" data-run-id="\(run.id)" data-run-status="\(run.status.rawValue)">
            <div class="page-head">
              <div><h1>Run <span class="mono small">\(run.id)</span></h1>
              <p class="task-text">\(run.task)</p>
              <p class="muted small">\(source.1.map { "Swarm \($0)" } ?? source.0) · created \(Layout.time(run.createdAt))</p></div>
              <div class="run-actions"><span id="run-status-badge">\(Layout.status(run.status.rawValue))</span>
              <span id="live" class="live" hidden>live</span>\(actions)</div>
            </div>
            <div class="run-grid">
              <section class="card graph-card"><div class="card-head"><h2>Plan</h2>
                <ul class="legend"><li class="pending">pending</li><li class="running">running</li><li class="done">done</li><li class="failed">failed</li><li class="critical">critical path</li></ul></div>
                \(try await graphBox(run, result))
              </section>
              <section class="card budget-card"><h2>Budget</h2>
                \(SVGCharts.gauge(used: cost, limit: maxCost, label: "Cost", id: "budget-gauge"))
                <dl class="figures">
                  <div><dt>Cost</dt><dd id="run-cost">\(Layout.money(run.costUSD))</dd></div>
                  <div><dt>Tokens</dt><dd id="run-tokens">\(Layout.number(run.promptTokens + run.completionTokens))</dd></div>
                  <div><dt>Model calls</dt><dd id="run-calls">\(result.map { String($0.llmCalls) } ?? "—")</dd></div>
                  <div><dt>Tool calls</dt><dd id="run-tools">\(result.map { String($0.toolCalls) } ?? "—")</dd></div>
                </dl>
                <p id="budget-warning" class="warning" hidden></p>
              </section>
              <section class="card agents-card"><h2>Sub-agents</h2>
                <div class="table-scroll"><table id="agents-table"><thead><tr><th>Agent</th><th>Template</th><th>State</th><th class="num">Tokens</th>\
            <th class="num">Cost</th><th class="num">Latency</th><th class="num">Tool calls</th></tr></thead><tbody>\(agentRows)</tbody></table></div>
              </section>
              <section class="card output-card"><h2 id="agent-output-title">Agent output</h2>
                <p class="muted small" id="agent-output-hint">Click a node of the plan to follow that agent's output.</p>
                <pre id="agent-output" class="output" aria-live="polite"></pre>
              </section>
              <section class="card report-card">\(report(run, result))</section>
            </div>
            </main>
            """
        return Page.response(Layout.page("Run", page: "run", active: "/runs", context: context, content))
    }
}

/// The plan in a `planned` event's data.
private struct PlannedGraph: Decodable {
    var graph: TaskGraph
}
