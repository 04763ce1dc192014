import Foundation
import Hummingbird
import KimiSwarmCore
import KimiSwarmEngine
import KimiSwarmPlatform
import KimiSwarmStore

/// `/agents`: the shipped templates and the tenant's own; create, edit, duplicate and delete
/// the tenant's own. A definition is YAML in the shipped templates' format; the API's parser
/// checks it and its messages are shown next to the form.
struct AgentPages {
    let store: SwarmStore
    let library: TemplateLibrary
    let api: DashboardAPI

    func register(_ pages: RouterGroup<AppRequestContext>) {
        pages.get("agents") { request, context in try await list(context, notice: Self.notice(request.uri.queryParameters["done"].map(String.init))) }
        pages.get("agents/new") { request, context in
            try DashboardAccess.require(.templatesWrite, context)
            let from = request.uri.queryParameters["from"].map(String.init)
            return Page.response(editor(context, id: nil, definition: try await copy(of: from, context), error: nil))
        }
        pages.post("agents/new") { request, context in
            try DashboardAccess.require(.templatesWrite, context)
            let form = try await WebForm.read(request, context: context)
            let definition = form["definition"] ?? ""
            let reply = try await api.call(.post, "templates", json: ["definition": .string(definition)], context: context)
            guard reply.ok else { return Page.response(editor(context, id: nil, definition: definition, error: reply.problem), status: reply.status) }
            return Page.redirect("/agents?done=created")
        }
        pages.get("agents/:id") { _, context in try await detail(context) }
        pages.post("agents/:id") { request, context in
            try DashboardAccess.require(.templatesWrite, context)
            let id = try SettingsPage.pathID(context, "id")
            let form = try await WebForm.read(request, context: context)
            let definition = form["definition"] ?? ""
            let reply = try await api.call(.put, "templates/\(id)", json: ["definition": .string(definition)], context: context)
            guard reply.ok else { return Page.response(editor(context, id: id, definition: definition, error: reply.problem), status: reply.status) }
            return Page.redirect("/agents?done=saved")
        }
        pages.post("agents/:id/delete") { request, context in
            _ = try await WebForm.read(request, context: context)
            _ = try await api.require(.delete, "templates/\(try SettingsPage.pathID(context, "id"))", context: context)
            return Page.redirect("/agents?done=deleted")
        }
    }

    static func notice(_ code: String?) -> HTML? {
        switch code {
        case "created": return "The template was created; runs and plans can use it now."
        case "saved": return "The template was saved."
        case "deleted": return "The template was deleted."
        default: return nil
        }
    }

    private func list(_ context: AppRequestContext, notice: HTML?) async throws -> Response {
        let principal = try DashboardAccess.require(.templatesRead, context)
        let canWrite = principal.allows(.templatesWrite)
        let own = try await store.templates.templates(tenantID: principal.tenantID)
        let ownRows = own.map { record -> HTML in
            let parsed = try? TemplateRoutes.parse(record.definition)
            let actions: HTML =
                canWrite
                ? """
                <a class="button small" href="/agents/\(record.id)">Edit</a> <a class="button small" href="/agents/new?from=\(record.id)">Duplicate</a> \
                \(Layout.button("Delete", action: "/agents/\(record.id)/delete", context: context, style: "danger small", confirm: "Delete the template \(record.id)?"))
                """ : "<a class=\"button small\" href=\"/agents/\(record.id)\">View</a>"
            return """
                <tr><td class="mono">\(record.id)</td><td>\(record.name)</td><td>\(parsed?.purpose ?? "⚠ invalid definition")</td>\
                <td class="nowrap">\(Layout.time(record.updatedAt))</td><td class="actions-cell">\(actions)</td></tr>
                """
        }
        let byCategory = Dictionary(grouping: library.sortedTemplates, by: \.category).sorted { $0.key < $1.key }
        let shipped = byCategory.map { category, templates -> HTML in
            let rows = templates.map { template -> HTML in
                """
                <tr><td class="mono"><a href="/agents/\(template.id)">\(template.id)</a></td><td>\(template.name)</td><td>\(template.purpose)</td>\
                <td>\(template.modelTier.rawValue)</td><td class="small">\(template.tools.joined(separator: ", "))</td>\
                <td>\(canWrite ? "<a class=\"button small\" href=\"/agents/new?from=\(template.id)\">Duplicate</a>" as HTML : "")</td></tr>
                """
            }
            return "<tr class=\"group\"><th colspan=\"6\">\(category)</th></tr>\(rows)"
        }
        let newButton: HTML = canWrite ? "<a class=\"button primary\" href=\"/agents/new\">New template</a>" : ""
        let content: HTML = """
            <div class="page-head"><h1>Agents</h1>\(newButton)</div>
            <section class="card wide" id="own-templates"><h2>Your templates</h2>
            \(own.isEmpty ? Layout.empty("Your tenant has no templates of its own yet. Duplicate a shipped one to start.") : "<div class=\"table-scroll\"><table><thead><tr><th>Id</th><th>Name</th><th>Purpose</th><th>Updated</th><th></th></tr></thead><tbody>\(ownRows)</tbody></table></div>" as HTML)
            </section>
            <section class="card wide" id="shipped-templates"><h2>Shipped templates (\(library.templates.count))</h2>
            <div class="table-scroll"><table><thead><tr><th>Id</th><th>Name</th><th>Purpose</th><th>Tier</th><th>Tools</th><th></th></tr></thead><tbody>\(shipped)</tbody></table></div>
            </section>
            """
        return Page.response(Layout.page("Agents", page: "agents", active: "/agents", context: context, notice: notice, content))
    }

    private func detail(_ context: AppRequestContext) async throws -> Response {
        let principal = try DashboardAccess.require(.templatesRead, context)
        let id = try SettingsPage.pathID(context, "id")
        if let template = library.templates[id] {
            let content: HTML = """
                <div class="page-head"><h1>\(template.name) <span class="mono small">\(template.id)</span></h1>
                \(principal.allows(.templatesWrite) ? "<a class=\"button\" href=\"/agents/new?from=\(template.id)\">Duplicate</a>" as HTML : "")</div>
                <section class="card wide"><p>\(template.description)</p>
                <p class="muted small">Shipped · \(template.category) · \(template.modelTier.rawValue) tier · tools: \(template.tools.joined(separator: ", "))</p>
                <pre class="yaml">\(TemplateLibrary.builtInYAML(templateID: template.id) ?? template.systemPrompt)</pre></section>
                """
            return Page.response(Layout.page(template.name, page: "agent", active: "/agents", context: context, content))
        }
        guard let record = try await store.templates.template(tenantID: principal.tenantID, templateID: id) else { throw APIError.notFound("template") }
        if principal.allows(.templatesWrite) { return Page.response(editor(context, id: id, definition: record.definition, error: nil)) }
        let content: HTML = """
            <div class="page-head"><h1>\(record.name) <span class="mono small">\(record.id)</span></h1></div>
            <section class="card wide"><pre class="yaml">\(record.definition)</pre></section>
            """
        return Page.response(Layout.page(record.name, page: "agent", active: "/agents", context: context, content))
    }

    /// The definition a new template starts from: a copy of `from` with a new id, or a skeleton.
    private func copy(of from: String?, _ context: AppRequestContext) async throws -> String {
        guard let from, !from.isEmpty, let principal = context.principal else { return Self.skeleton }
        var text = TemplateLibrary.builtInYAML(templateID: from)
        if text == nil { text = try await store.templates.template(tenantID: principal.tenantID, templateID: from)?.definition }
        guard let text else { return Self.skeleton }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("id:") ? "id: \(from)-copy" : String(line)
        }.joined(separator: "\n")
    }

    static let skeleton = """
        id: my-reviewer
        name: My reviewer
        category: general
        purpose: One sentence on what this agent is for.
        description: |
          What it does, when to use it, what it produces.
        model_tier: balanced
        tools: [http_get, current_time]
        system_prompt: |
          You are ... Say how to work and what to return (Markdown).
        examples:
          - "An example task."
        """

    private func editor(_ context: AppRequestContext, id: String?, definition: String, error: String?) -> HTML {
        let action = id.map { "/agents/\($0)" } ?? "/agents/new"
        let content: HTML = """
            <div class="page-head"><h1>\(id.map { "Edit \($0)" } ?? "New template")</h1></div>
            \(error.map { "<p class=\"error\" role=\"alert\" id=\"form-error\">\(DashboardErrorMiddleware.sentence($0))</p>" as HTML })
            <form id="template-form" class="card form" method="post" action="\(action)">\(Layout.csrf(context))
              <label class="wide">Definition (YAML)
                <textarea name="definition" rows="24" class="mono" spellcheck="false" required maxlength="262144">\(definition)</textarea>
                <small>Fields: id (lowercase, digits, hyphens), name, category, purpose, description, model_tier (fast, balanced or deep), tools, system_prompt, examples.\(id == nil ? "" : " The id cannot change.")</small>
              </label>
              <div class="actions"><a class="button" href="/agents">Cancel</a> <button type="submit" class="primary">\(id == nil ? "Create template" : "Save")</button></div>
            </form>
            """
        return Layout.page(id ?? "New template", page: "agent-editor", active: "/agents", context: context, content)
    }
}
