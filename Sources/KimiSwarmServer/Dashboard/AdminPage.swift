import Foundation
import HTTPTypes
import Hummingbird
import KimiSwarmCore
import KimiSwarmStore
import KimiSwarmPlatform

/// `/admin` (super admin): tenants (create, plan, suspend), plans and their limits, every
/// user, and the system's health from `/ready` with each provider's circuit states.
struct AdminPage {
    let store: SwarmStore
    let api: DashboardAPI
    let clock: any SwarmClock

    static let limitFields: [(String, String)] = [
        ("monthly_cost_limit_usd", "Budget $/month"), ("monthly_token_limit", "Tokens/month"), ("daily_token_limit", "Tokens/day"),
        ("requests_per_minute", "Requests/min"), ("max_concurrent_runs", "Concurrent runs"), ("max_subagents_per_run", "Sub-agents/run"),
    ]

    func register(_ pages: RouterGroup<AppRequestContext>) {
        pages.get("admin") { request, context in
            try await page(context, notice: Self.notice(request.uri.queryParameters["done"].map(String.init)))
        }
        pages.post("admin/tenants") { request, context in
            let form = try await WebForm.read(request, context: context)
            var body: [String: JSONValue] = ["name": .string(form.text("name") ?? "")]
            if let id = form.text("id") { body["id"] = .string(id) }
            if let plan = form.text("plan_id") { body["plan_id"] = .string(plan) }
            return try await change(context, .post, "tenants", body, done: "tenant-created")
        }
        pages.post("admin/tenants/:id") { request, context in
            let form = try await WebForm.read(request, context: context)
            var body: [String: JSONValue] = [:]
            if let plan = form["plan_id"] { body["plan_id"] = plan.isEmpty ? .null : .string(plan) }
            if let suspended = form["suspended"] { body["suspended"] = .bool(suspended == "true") }
            return try await change(context, .patch, "tenants/\(try SettingsPage.pathID(context, "id"))", body, done: "tenant-saved")
        }
        pages.post("admin/plans") { request, context in
            let form = try await WebForm.read(request, context: context)
            guard let id = form.text("id") else { return try await page(context, error: "A plan needs an id.", status: .unprocessableContent) }
            let limits: [String: JSONValue]
            do { limits = try Self.limits(form) } catch let error as APIError {
                return try await page(context, error: error.message, status: error.status)
            }
            let path = "plans/\(id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-_"))) ?? "")"
            return try await change(context, .put, path, ["name": .string(form.text("name") ?? id), "limits": .object(limits)], done: "plan-saved")
        }
    }

    /// The six limit fields of a form as the API's `limits` object (empty: no limit).
    static func limits(_ form: WebForm) throws -> [String: JSONValue] {
        var limits: [String: JSONValue] = [:]
        for (field, label) in limitFields {
            guard let text = form.text(field) else {
                limits[field] = .null
                continue
            }
            if field == "monthly_cost_limit_usd" {
                limits[field] = .string(text)
            } else if let value = Int(text), value >= 0 {
                limits[field] = .int(value)
            } else {
                throw APIError.unprocessable("\(label) must be a whole number (or empty for no limit)")
            }
        }
        return limits
    }

    /// Inputs for the six limits, prefilled from `values` (an API `limits` object).
    static func limitInputs(_ values: JSONValue) -> HTML {
        HTML.join(
            limitFields.map { field, label -> HTML in
                let value = values[field]?.displayText ?? ""
                return "<label>\(label) <input name=\"\(field)\" inputmode=\"decimal\" placeholder=\"no limit\" value=\"\(value)\"></label>"
            })
    }

    static func notice(_ code: String?) -> HTML? {
        switch code {
        case "tenant-created": return "The tenant was created."
        case "tenant-saved": return "The tenant was updated."
        case "plan-saved": return "The plan was saved; tenants on it get its limits at once."
        default: return nil
        }
    }

    private func change(_ context: AppRequestContext, _ method: HTTPRequest.Method, _ path: String, _ body: [String: JSONValue], done: String) async throws -> Response {
        let reply = try await api.call(method, path, json: .object(body), context: context)
        guard reply.ok else { return try await page(context, error: reply.problem, status: reply.status) }
        return Page.redirect("/admin?done=\(done)")
    }

    private func page(_ context: AppRequestContext, notice: HTML? = nil, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        try DashboardAccess.require(.tenantsManage, context)
        let tenants = try await api.require(.get, "tenants", context: context).list
        let plans = try await api.require(.get, "plans", context: context).list
        let planIDs = plans.compactMap { $0["id"]?.stringValue }
        let tenantRows = tenants.map { tenant -> HTML in
            let id = tenant["id"]?.stringValue ?? ""
            let plan = tenant["plan_id"]?.stringValue ?? ""
            let suspended = tenant["suspended"]?.boolValue ?? false
            let options = [HTML("<option value=\"\">no plan</option>")] + planIDs.map { "<option\(HTML.attribute("selected", when: $0 == plan))>\($0)</option>" }
            return """
                <tr><td class="mono">\(id)</td><td>\(tenant["name"]?.stringValue ?? "")</td>\
                <td><form class="inline" method="post" action="/admin/tenants/\(id)">\(Layout.csrf(context))<select name="plan_id" aria-label="plan">\(options)</select> <button type="submit" class="small">Set</button></form></td>\
                <td>\(Layout.status(suspended ? "suspended" : "active"))</td><td class="nowrap">\(SettingsPage.day(tenant["created_at"]))</td>\
                <td><form class="inline" method="post" action="/admin/tenants/\(id)"\(suspended ? "" : " data-confirm=\"Suspend this tenant? Its keys and users stop working.\"" as HTML)>\(Layout.csrf(context))\
                <input type="hidden" name="suspended" value="\(suspended ? "false" : "true")"><button type="submit" class="small \(suspended ? "" : "danger")">\(suspended ? "Reactivate" : "Suspend")</button></form></td></tr>
                """
        }
        let planRows = plans.map { plan -> HTML in
            let limits = plan["limits"] ?? [:]
            let cells = Self.limitFields.map { field, _ -> HTML in
                let value = limits[field]
                return "<td class=\"num\">\(value?.displayText ?? "—")</td>"
            }
            return "<tr><td class=\"mono\">\(plan["id"]?.stringValue ?? "")</td><td>\(plan["name"]?.stringValue ?? "")</td>\(cells)</tr>"
        }
        let users = try await store.directory.listUsers()
        var userRows: [HTML] = []
        for user in users.prefix(500) {
            let memberships = try await store.directory.tenantsOfUser(userID: user.id)
            let credentials = try await store.directory.credentials(email: user.email)
            let locked = credentials?.lockedUntil.map { $0 > clock.date() } ?? false
            userRows.append(
                """
                <tr><td>\(user.email)</td><td>\(user.displayName)</td><td>\(user.isSuperAdmin ? "yes" : "")</td>\
                <td>\(memberships.map { "\($0.tenantID) (\(Layout.roleName($0.role)))" }.joined(separator: ", "))</td>\
                <td>\(credentials?.passwordHash == nil ? "none" : locked ? "locked" : "set")</td><td class="nowrap">\(Layout.time(user.createdAt))</td></tr>
                """)
        }
        let health = try await api.call(.get, "/ready", context: context)
        let content: HTML = """
            <div class="page-head"><h1>Admin</h1></div>
            \(error.map { "<p class=\"error\" role=\"alert\">\(DashboardErrorMiddleware.sentence($0))</p>" as HTML })
            <div class="sections">
            \(Self.healthSection(health))
            <section class="card wide" id="tenants"><h2>Tenants</h2>
            <div class="table-scroll"><table><thead><tr><th>Id</th><th>Name</th><th>Plan</th><th>Status</th><th>Created</th><th></th></tr></thead><tbody>\(tenantRows)</tbody></table></div>
            <form class="form inline-form" method="post" action="/admin/tenants" id="tenant-form">\(Layout.csrf(context))
              <label>Name <input name="name" required maxlength="100"></label>
              <label>Id <input name="id" maxlength="64" placeholder="generated"></label>
              <label>Plan <select name="plan_id"><option value="">no plan</option>\(planIDs.map { "<option>\($0)</option>" as HTML })</select></label>
              <div class="actions"><button type="submit" class="primary">Create tenant</button></div>
            </form></section>
            <section class="card wide" id="plans"><h2>Plans and quotas</h2>
            <div class="table-scroll"><table><thead><tr><th>Id</th><th>Name</th>\(Self.limitFields.map { "<th class=\"num\">\($0.1)</th>" as HTML })</tr></thead><tbody>\(planRows)</tbody></table></div>
            <form class="form inline-form" method="post" action="/admin/plans" id="plan-form">\(Layout.csrf(context))
              <label>Id <input name="id" required maxlength="64" placeholder="team"></label>
              <label>Name <input name="name" maxlength="100"></label>
              \(Self.limitInputs([:]))
              <div class="actions"><button type="submit">Save plan</button></div>
              <p class="muted small">Saving an existing id replaces its limits; empty fields mean no limit.</p>
            </form></section>
            <section class="card wide" id="users"><h2>Users (\(users.count))</h2>
            <div class="table-scroll"><table><thead><tr><th>E-mail</th><th>Name</th><th>Super admin</th><th>Tenants</th><th>Password</th><th>Created</th></tr></thead><tbody>\(userRows)</tbody></table></div>
            </section>
            </div>
            """
        return Page.response(Layout.page("Admin", page: "admin", active: "/admin", context: context, notice: notice, content), status: status)
    }

    static func healthSection(_ reply: APIReply) -> HTML {
        let object = reply.object
        let checks = object["checks"] ?? [:]
        let database = checks["database"] ?? [:]
        let migrations = checks["migrations"] ?? [:]
        let workers = checks["workers"] ?? [:]
        let providers = (checks["providers"]?.objectValue ?? [:]).sorted { $0.key < $1.key }
        let providerRows = providers.map { name, value -> HTML in
            let info = value
            let circuits = (info["circuits"]?.objectValue ?? [:]).sorted { $0.key < $1.key }
            let chips = circuits.map { key, state -> HTML in "<span class=\"chip circuit-\(state.stringValue ?? "")\">\(key): \(state.stringValue ?? "")</span>" }
            return "<tr><td>\(name)</td><td>\(Layout.status(info["status"]?.stringValue ?? "unknown"))</td><td>\(chips.isEmpty ? "no calls yet" as HTML : HTML.join(chips, separator: " "))</td></tr>"
        }
        return """
            <section class="card wide" id="health"><div class="card-head"><h2>System health</h2>\(Layout.status(object["status"]?.stringValue ?? "unknown"))</div>
            <dl class="figures">
              <div><dt>Database</dt><dd>\(database["status"]?.stringValue ?? "?") \(database["dialect"]?.stringValue ?? "")</dd></div>
              <div><dt>Migrations</dt><dd>\(migrations["status"]?.stringValue ?? "?")</dd></div>
              <div><dt>Workers</dt><dd>\(workers["count"]?.intValue ?? 0)</dd></div>
            </dl>
            <h3>Provider circuits</h3>
            \(providers.isEmpty ? Layout.empty("No providers configured.") : "<table id=\"circuits\"><thead><tr><th>Provider</th><th>Status</th><th>Circuits</th></tr></thead><tbody>\(providerRows)</tbody></table>" as HTML)
            </section>
            """
    }
}
