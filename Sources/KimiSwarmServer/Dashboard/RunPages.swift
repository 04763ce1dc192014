import Foundation
import HTTPTypes
import Hummingbird
import KimiSwarmCore
import KimiSwarmEngine
import KimiSwarmPlatform
import KimiSwarmStore

/// Run history (filters, search, cursor pages), the new-run form with its cost estimate, and
/// the cancel and resume buttons. The run view itself is ``RunViewPage``.
struct RunPages {
    let store: SwarmStore
    let library: TemplateLibrary
    let api: DashboardAPI

    func register(_ pages: RouterGroup<AppRequestContext>) {
        pages.get("runs") { request, context in try await history(request, context) }
        pages.get("runs/new") { _, context in
            try require(.runsWrite, context)
            return Page.response(newRunPage(context, form: WebForm(fields: [:]), estimate: nil, error: nil))
        }
        pages.post("runs/new") { request, context in try await submit(request, context) }
        // The new-run page's script asks for the estimate as the form changes.
        pages.post("runs/estimate") { request, context in
            try require(.runsWrite, context)
            let (body, problems) = Self.runBody(try await WebForm.read(request, context: context))
            guard problems.isEmpty else { return Page.response(Self.estimateBox(nil, error: problems.joined(separator: ". ") + ".")) }
            let reply = try await api.call(.post, "runs/estimate", json: body, context: context)
            return Page.response(Self.estimateBox(reply.ok ? reply.object : nil, error: reply.ok ? nil : Self.sentence(reply.problem)))
        }
        pages.post("runs/:id/cancel") { request, context in try await action("cancel", request, context) }
        pages.post("runs/:id/resume") { request, context in try await action("resume", request, context) }
        RunViewPage(store: store, library: library, api: api).register(pages)
    }

    // MARK: History

    private func history(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let principal = try require(.runsRead, context)
        let query = request.uri.queryParameters
        var filter = RunFilter()
        var problems: [String] = []
        let status = query["status"].map(String.init) ?? ""
        if !status.isEmpty {
            if let value = KimiSwarmStore.RunStatus(rawValue: status) { filter.status = value } else { problems.append("unknown status `\(status)`") }
        }
        let template = query["template"].map(String.init) ?? ""
        if !template.isEmpty { filter.templateID = template }
        let user = query["user"].map(String.init) ?? ""
        if !user.isEmpty { filter.createdBy = user }
        let search = query["q"].map(String.init) ?? ""
        if !search.isEmpty { filter.search = String(search.prefix(200)) }
        let from = query["from"].map(String.init) ?? ""
        let to = query["to"].map(String.init) ?? ""
        if !from.isEmpty {
            if let date = ISO8601.date(from) { filter.createdFrom = date } else { problems.append("`from` is not a date (use 2026-12-01)") }
        }
        if !to.isEmpty {
            if let date = ISO8601.date(to) { filter.createdTo = date.addingTimeInterval(to.count == 10 ? 86_400 : 0) } else {
                problems.append("`to` is not a date (use 2026-12-31)")
            }
        }
        var cursor: RunCursor?
        if let text = query["cursor"].map(String.init), !text.isEmpty {
            if let value = RunCursor(encoded: text) { cursor = value } else { problems.append("the page link is not valid; start from the first page") }
        }
        let pageSize = 25
        let runs = problems.isEmpty ? try await store.runs.listRuns(tenantID: principal.tenantID, filter: filter, after: cursor, limit: pageSize + 1) : []
        let page = Array(runs.prefix(pageSize))
        var nextLink: HTML = ""
        if runs.count > pageSize, let last = page.last {
            var items = query.map { (String($0.key), String($0.value)) }.filter { $0.0 != "cursor" }
            items.append(("cursor", RunCursor(createdAt: last.createdAt, id: last.id).encoded))
            nextLink = "<a class=\"button\" id=\"next-page\" href=\"/runs?\(Self.query(items))\">Older runs →</a>"
        }
        let members = try await memberNames(principal)
        let templates = Set(library.swarms.keys).union(["planner", "graph"]).sorted()
        let statusOptions = [HTML("<option value=\"\">any status</option>")] + KimiSwarmStore.RunStatus.allCases.map { value in
            "<option\(HTML.attribute("selected", when: value.rawValue == status))>\(value.rawValue)</option>"
        }
        let templateOptions = [HTML("<option value=\"\">any swarm</option>")] + templates.map { value in
            "<option\(HTML.attribute("selected", when: value == template))>\(value)</option>"
        }
        let userOptions = [HTML("<option value=\"\">anyone</option>")] + members.sorted { $0.value < $1.value }.map { id, email in
            "<option value=\"\(id)\"\(HTML.attribute("selected", when: id == user))>\(email)</option>"
        }
        let rows = page.map { run -> HTML in
            let source = RunDTO.source(of: run.spec)
            return """
                <tr><td class="nowrap">\(Layout.time(run.createdAt))</td>
                <td class="task"><a href="/runs/\(run.id)">\(Self.short(run.task, 90))</a></td>
                <td>\(Layout.status(run.status.rawValue))</td><td>\(source.1 ?? source.0)</td>
                <td>\(run.createdBy.flatMap { members[$0] } ?? (run.apiKeyID == nil ? "—" : "API key"))</td>
                <td class="num">\(Layout.number(run.promptTokens + run.completionTokens))</td><td class="num">\(Layout.money(run.costUSD))</td></tr>
                """
        }
        let newButton: HTML = principal.allows(.runsWrite) ? "<a class=\"button primary\" href=\"/runs/new\">New run</a>" : ""
        let content: HTML = """
            <div class="page-head"><h1>Runs</h1>\(newButton)</div>
            <form class="filters card" method="get" action="/runs" role="search">
              <label>Search <input type="search" name="q" value="\(search)" placeholder="words in the task"></label>
              <label>Status <select name="status">\(statusOptions)</select></label>
              <label>Swarm <select name="template">\(templateOptions)</select></label>
              <label>User <select name="user">\(userOptions)</select></label>
              <label>From <input type="date" name="from" value="\(from)"></label>
              <label>To <input type="date" name="to" value="\(to)"></label>
              <div class="filter-actions"><button type="submit">Filter</button> <a href="/runs">Clear</a></div>
            </form>
            \(problems.isEmpty ? "" : "<p class=\"error\" role=\"alert\">\(problems.joined(separator: "; ")).</p>" as HTML)
            \(page.isEmpty ? Layout.empty(problems.isEmpty ? "No runs match." : "Fix the filters above.", newButton) : """
            <div class="card table-scroll"><table id="runs-table"><thead><tr><th>Created</th><th>Task</th><th>Status</th><th>Swarm</th><th>By</th>\
            <th class="num">Tokens</th><th class="num">Cost</th></tr></thead><tbody>\(rows)</tbody></table></div>
            """)
            <div class="pager">\(cursor == nil ? "" : "<a href=\"/runs\">← Newest</a>" as HTML) \(nextLink)</div>
            """
        return Page.response(Layout.page("Runs", page: "history", active: "/runs", context: context, content))
    }

    /// User ids of the tenant's members → e-mail, for the "by" column and the user filter.
    private func memberNames(_ principal: Principal) async throws -> [String: String] {
        var names: [String: String] = [:]
        for member in try await store.members.members(tenantID: principal.tenantID) {
            names[member.userID] = try await store.directory.user(id: member.userID)?.email ?? member.userID
        }
        return names
    }

    // MARK: New run

    private func newRunPage(_ context: AppRequestContext, form: WebForm, estimate: JSONValue?, error: String?) -> HTML {
        let chosen = form["swarm"] ?? ""
        let swarms = library.swarms.values.sorted { $0.id < $1.id }
        let options = [HTML("<option value=\"\">Let the planner decide</option>")] + swarms.map { swarm in
            "<option value=\"\(swarm.id)\"\(HTML.attribute("selected", when: swarm.id == chosen))>\(swarm.name) (\(swarm.graph.tasks.count) agents)</option>"
        }
        let content: HTML = """
            <div class="page-head"><h1>New run</h1></div>
            \(error.map { "<p class=\"error\" role=\"alert\">\($0)</p>" as HTML })
            <form id="new-run" class="card form" method="post" action="/runs/new">
              \(Layout.csrf(context))
              <input type="hidden" name="nonce" value="\(form["nonce"] ?? WebForm.randomToken())">
              <label class="wide">Task <textarea name="task" rows="5" required maxlength="100000" placeholder="What should the swarm do?">\(form["task"] ?? "")</textarea></label>
              <label class="wide">Swarm <select name="swarm">\(options)</select>
                <small>A ready-made swarm runs a fixed plan; the planner splits the task into sub-agents itself.</small></label>
              <fieldset class="budgets"><legend>Budgets (empty: no limit or the default)</legend>
                <label>Max cost (USD) <input type="number" name="max_cost_usd" min="0" step="0.01" value="\(form["max_cost_usd"] ?? "")"></label>
                <label>Max time (seconds) <input type="number" name="max_wall_seconds" min="1" step="1" value="\(form["max_wall_seconds"] ?? "")"></label>
                <label>Max sub-agents <input type="number" name="max_sub_agents" min="1" max="1000" step="1" value="\(form["max_sub_agents"] ?? "")"></label>
                <label>Concurrency <input type="number" name="concurrency" min="1" max="256" step="1" value="\(form["concurrency"] ?? "")"></label>
              </fieldset>
              <div class="actions">
                <button type="submit" name="action" value="estimate">Estimate cost</button>
                <button type="submit" name="action" value="start" class="primary">Start run</button>
              </div>
            </form>
            \(Self.estimateBox(estimate, error: nil))
            """
        return Layout.page("New run", page: "new-run", active: "/runs", context: context, content)
    }

    /// The estimate (or why there is none); an empty box until there is a task to estimate.
    static func estimateBox(_ estimate: JSONValue?, error: String?) -> HTML {
        if let error { return "<div id=\"estimate\" class=\"card estimate\" role=\"status\"><p class=\"error\">\(error)</p></div>" }
        guard let estimate else { return "<div id=\"estimate\" class=\"card estimate\" role=\"status\" hidden></div>" }
        let known = estimate["prices_known"]?.boolValue ?? true
        return """
            <div id="estimate" class="card estimate" role="status">
              <h2>Estimate</h2>
              <dl class="figures">
                <div><dt>Sub-agents</dt><dd>\(estimate["agents"]?.intValue ?? 0)</dd></div>
                <div><dt>Expected model calls</dt><dd>\(estimate["expected_calls"]?.intValue ?? 0)</dd></div>
                <div><dt>Expected cost</dt><dd>\(Layout.money(estimate["expected_cost_usd"]?.stringValue))</dd></div>
                <div><dt>At most</dt><dd>\(Layout.money(estimate["maximum_cost_usd"]?.stringValue))</dd></div>
              </dl>
              \(known ? "" : "<p class=\"muted\">Some models have no known price; their calls are not in these figures.</p>" as HTML)
            </div>
            """
    }

    /// The API body of the new-run form, and what is wrong with its budgets.
    static func runBody(_ form: WebForm) -> (JSONValue, [String]) {
        var body: [String: JSONValue] = ["task": .string(form["task"] ?? "")]
        if let swarm = form.text("swarm") { body["swarm"] = .string(swarm) }
        var budgets: [String: JSONValue] = [:]
        var problems: [String] = []
        if let cost = form.text("max_cost_usd") {
            if let value = Decimal(string: cost, locale: Locale(identifier: "en_US_POSIX")), value >= 0 { budgets["max_cost_usd"] = .string(cost) } else {
                problems.append("Max cost must be a number of dollars such as 1.50")
            }
        }
        for (field, label) in [("max_wall_seconds", "Max time"), ("max_sub_agents", "Max sub-agents"), ("concurrency", "Concurrency")] {
            guard let text = form.text(field) else { continue }
            if let value = Int(text), value > 0 { budgets[field] = .int(value) } else { problems.append("\(label) must be a whole number above 0") }
        }
        if !budgets.isEmpty { body["budgets"] = .object(budgets) }
        return (.object(body), problems)
    }

    private func submit(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try require(.runsWrite, context)
        let form = try await WebForm.read(request, context: context)
        let (body, problems) = Self.runBody(form)
        guard problems.isEmpty else {
            return Page.response(newRunPage(context, form: form, estimate: nil, error: problems.joined(separator: ". ") + "."), status: .unprocessableContent)
        }
        if form["action"] == "estimate" {
            let reply = try await api.call(.post, "runs/estimate", json: body, context: context)
            guard reply.ok else { return Page.response(newRunPage(context, form: form, estimate: nil, error: Self.sentence(reply.problem)), status: reply.status) }
            return Page.response(newRunPage(context, form: form, estimate: reply.object, error: nil))
        }
        // The form's nonce makes a double-submitted form one run (the API's idempotency).
        var headers: HTTPFields = [:]
        if let nonce = form.text("nonce"), nonce.utf8.count <= 100 { headers[HTTPField.Name("Idempotency-Key")!] = "dashboard-" + nonce }
        let reply = try await api.call(.post, "runs", json: body, headers: headers, context: context)
        guard reply.ok, let id = reply.object["id"]?.stringValue else {
            return Page.response(newRunPage(context, form: form, estimate: nil, error: Self.sentence(reply.problem)), status: reply.status)
        }
        return Page.redirect("/runs/\(id)")
    }

    private func action(_ verb: String, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        _ = try await WebForm.read(request, context: context)
        let id = try context.parameters.require("id")
        guard id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else { throw APIError.notFound("run") }
        _ = try await api.require(.post, "runs/\(id)/\(verb)", context: context)
        return Page.redirect("/runs/\(id)")
    }

    // MARK: Helpers

    @discardableResult
    private func require(_ permission: Permission, _ context: AppRequestContext) throws -> Principal {
        try DashboardAccess.require(permission, context)
    }

    static func short(_ text: String, _ length: Int) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return line.count > length ? String(line.prefix(length - 1)) + "…" : line
    }

    static func query(_ items: [(String, String)]) -> String {
        let allowed = CharacterSet.alphanumerics.union(.init(charactersIn: "-_.~"))
        return items.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
            .joined(separator: "&")
    }

    static func sentence(_ text: String) -> String { DashboardErrorMiddleware.sentence(text) }
}

/// The permission check of dashboard pages: the same table as the API's routes.
enum DashboardAccess {
    @discardableResult
    static func require(_ permission: Permission, _ context: AppRequestContext) throws -> Principal {
        guard let principal = context.principal else { throw APIError.unauthenticated("sign in first") }
        guard principal.allows(permission) else {
            throw APIError.forbidden(
                "your role (\(Layout.roleName(principal.role))) may not see or do this", hint: "Ask a tenant admin for a role that includes \(permission.rawValue).")
        }
        return principal
    }
}
