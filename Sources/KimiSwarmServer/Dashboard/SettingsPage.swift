import Foundation
import Hummingbird
import KimiSwarmCore
import KimiSwarmStore
import KimiSwarmPlatform

/// `/settings`: your password; the tenant's API keys (a new key's secret is shown once),
/// provider credentials (write-only) and members with their roles. Every change goes
/// through the API, so its role rules (nobody grants above their own role) hold here too.
struct SettingsPage {
    let store: SwarmStore
    let api: DashboardAPI
    let policy: WebSessionPolicy

    static let roles: [Role] = [.viewer, .developer, .billingAdmin, .tenantAdmin, .superAdmin]
    static let providers = ["moonshot", "openai", "anthropic", "together", "openrouter", "azure", "ollama", "vllm"]

    func register(_ pages: RouterGroup<AppRequestContext>) {
        pages.get("settings") { request, context in
            try await page(context, notice: Self.notice(request.uri.queryParameters["done"].map(String.init)))
        }
        pages.post("settings/password") { request, context in
            let form = try await WebForm.read(request, context: context)
            guard form["new_password"] == form["confirm_password"] else {
                return try await page(context, error: "The two new passwords differ.", status: .unprocessableContent)
            }
            var body: [String: JSONValue] = ["new_password": .string(form["new_password"] ?? "")]
            if let current = form["current_password"], !current.isEmpty { body["current_password"] = .string(current) }
            let reply = try await api.call(.put, "me/password", json: .object(body), context: context)
            guard reply.ok else { return try await page(context, error: reply.problem, status: reply.status) }
            // A new password ends every session of the user, this one included.
            return Page.redirect("/login?signed_out=1")
        }
        pages.post("settings/keys") { request, context in
            let form = try await WebForm.read(request, context: context)
            var body: [String: JSONValue] = ["name": .string(form.text("name") ?? ""), "role": .string(form["role"] ?? "")]
            if let days = form.text("expires_days") {
                guard let count = Int(days), (1...3650).contains(count) else {
                    return try await page(context, error: "Expiry must be a whole number of days from 1 to 3650.", status: .unprocessableContent)
                }
                body["expires_at"] = .string(ISO8601.string(policy.clock.date().addingTimeInterval(Double(count) * 86_400)))
            }
            let reply = try await api.call(.post, "keys", json: .object(body), context: context)
            guard reply.ok, let secret = reply.object["key"]?.stringValue else { return try await page(context, error: reply.problem, status: reply.status) }
            let shown: HTML = """
                Key “\(reply.object["name"]?.stringValue ?? "")” created. Copy it now: it is not shown again.
                <code id="new-key-secret" class="secret">\(secret)</code>
                """
            return try await page(context, notice: shown, status: .created)
        }
        pages.post("settings/keys/:id/revoke") { request, context in
            try await change(request, context, .delete, "keys/\(try Self.pathID(context, "id"))", done: "key-revoked")
        }
        pages.post("settings/credentials") { request, context in
            let form = try await WebForm.read(request, context: context)
            let provider = form.text("provider") ?? ""
            guard Self.providers.contains(provider) else { return try await page(context, error: "Pick a provider.", status: .unprocessableContent) }
            var body: [String: JSONValue] = ["secret": .string(form["secret"] ?? "")]
            if let name = form.text("name") { body["name"] = .string(name) }
            return try await apply(context, .put, "credentials/\(provider)", json: .object(body), done: "credential-saved")
        }
        pages.post("settings/credentials/:provider/delete") { request, context in
            let form = try await WebForm.read(request, context: context)
            let name = form.text("name").map { "?name=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") } ?? ""
            _ = try await api.require(.delete, "credentials/\(try Self.pathID(context, "provider"))\(name)", context: context)
            return Page.redirect("/settings?done=credential-deleted")
        }
        pages.post("settings/members") { request, context in
            let form = try await WebForm.read(request, context: context)
            var body: [String: JSONValue] = ["email": .string(form.text("email") ?? ""), "role": .string(form["role"] ?? "")]
            if let name = form.text("display_name") { body["display_name"] = .string(name) }
            if let password = form["password"], !password.isEmpty { body["password"] = .string(password) }
            let reply = try await api.call(.post, "members", json: .object(body), context: context)
            guard reply.ok else { return try await page(context, error: reply.problem, status: reply.status) }
            // 202: the person has an account elsewhere and was invited; they join on accepting.
            return Page.redirect("/settings?done=\(reply.status == .accepted ? "member-invited" : "member-added")")
        }
        pages.post("settings/invitations/:id/accept") { request, context in
            try await change(request, context, .post, "me/invitations/\(try Self.pathID(context, "id"))/accept", done: "invitation-accepted")
        }
        pages.post("settings/invitations/:id/decline") { request, context in
            try await change(request, context, .post, "me/invitations/\(try Self.pathID(context, "id"))/decline", done: "invitation-declined")
        }
        pages.post("settings/invitations/:id/withdraw") { request, context in
            try await change(request, context, .delete, "invitations/\(try Self.pathID(context, "id"))", done: "invitation-withdrawn")
        }
        pages.post("settings/members/:user/role") { request, context in
            let form = try await WebForm.read(request, context: context)
            return try await apply(context, .put, "members/\(try Self.pathID(context, "user"))", json: ["role": .string(form["role"] ?? "")], done: "role-changed")
        }
        pages.post("settings/members/:user/remove") { request, context in
            try await change(request, context, .delete, "members/\(try Self.pathID(context, "user"))", done: "member-removed")
        }
    }

    /// Reads a one-button form (checking its token) and makes the change.
    private func change(_ request: Request, _ context: AppRequestContext, _ method: HTTPRequest.Method, _ path: String, done: String) async throws -> Response {
        _ = try await WebForm.read(request, context: context)
        return try await apply(context, method, path, json: nil, done: done)
    }

    /// Makes a change through the API: back to the page with `done`'s notice, or the page
    /// again with the API's message and status.
    private func apply(_ context: AppRequestContext, _ method: HTTPRequest.Method, _ path: String, json: JSONValue?, done: String) async throws -> Response {
        let reply = try await api.call(method, path, json: json, context: context)
        guard reply.ok else { return try await page(context, error: reply.problem, status: reply.status) }
        return Page.redirect("/settings?done=\(done)")
    }

    static func pathID(_ context: AppRequestContext, _ name: String) throws -> String {
        let value = try context.parameters.require(name)
        guard !value.isEmpty, value.count <= 200, value.allSatisfy({ $0.isLetter || $0.isNumber || "-_.@".contains($0) }) else {
            throw APIError.notFound(name)
        }
        return value
    }

    static func notice(_ code: String?) -> HTML? {
        switch code {
        case "key-revoked": return "The key was revoked; it stops working at once."
        case "credential-saved": return "The provider credential was saved (encrypted; it is never shown again)."
        case "credential-deleted": return "The provider credential was deleted."
        case "member-added": return "The member was added."
        case "member-invited": return "That person has an account already: they were invited, and join when they accept."
        case "invitation-accepted": return "You joined the tenant; switch to it from the tenant menu."
        case "invitation-declined": return "The invitation was declined."
        case "invitation-withdrawn": return "The invitation was withdrawn."
        case "role-changed": return "The role was changed."
        case "member-removed": return "The member was removed."
        default: return nil
        }
    }

    private func page(_ context: AppRequestContext, notice: HTML? = nil, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let principal = context.principal else { throw APIError.unauthenticated("sign in first") }
        var sections: [HTML] = [try await account(context, principal)]
        if principal.allows(.keysRead) { sections.append(try await keys(context, principal)) }
        if principal.allows(.credentialsManage) { sections.append(try await credentials(context)) }
        if principal.allows(.membersRead) { sections.append(try await members(context, principal)) }
        let content: HTML = """
            <div class="page-head"><h1>Settings</h1></div>
            \(error.map { "<p class=\"error\" role=\"alert\">\(DashboardErrorMiddleware.sentence($0))</p>" as HTML })
            <div class="sections">\(sections)</div>
            """
        return Page.response(Layout.page("Settings", page: "settings", active: "/settings", context: context, notice: notice, content), status: status)
    }

    private func account(_ context: AppRequestContext, _ principal: Principal) async throws -> HTML {
        guard principal.isPersonal, let userID = principal.userID, let user = try await store.directory.user(id: userID) else {
            return """
                <section class="card" id="account"><h2>Your account</h2>
                <p class="muted">You signed in with an API key (role \(Layout.roleName(principal.role))). Sign in with your e-mail to change your password.</p></section>
                """
        }
        let hasPassword = try await store.directory.credentials(email: user.email)?.passwordHash != nil
        let invitations = try await api.require(.get, "me/invitations", context: context).list.map { item -> HTML in
            let id = item["id"]?.stringValue ?? ""
            return """
                <li>\(item["tenant_name"]?.stringValue ?? item["tenant_id"]?.stringValue ?? "") invites you as \((item["role"]?.stringValue ?? "").replacingOccurrences(of: "_", with: " ")) \
                \(Layout.button("Accept", action: "/settings/invitations/\(id)/accept", context: context, style: "primary small")) \
                \(Layout.button("Decline", action: "/settings/invitations/\(id)/decline", context: context, style: "small"))</li>
                """
        }
        let invited: HTML = invitations.isEmpty ? "" : "<h3>Invitations</h3><ul class=\"plain\" id=\"invitations\">\(invitations)</ul>"
        return """
            <section class="card" id="account"><h2>Your account</h2>
            <p>\(user.displayName) · \(user.email) · \(Layout.roleName(principal.role))</p>
            <form class="form" method="post" action="/settings/password" id="password-form">\(Layout.csrf(context))
              \(hasPassword ? "<label>Current password <input type=\"password\" name=\"current_password\" autocomplete=\"current-password\" required></label>" as HTML : "")
              <label>New password <input type="password" name="new_password" autocomplete="new-password" minlength="10" maxlength="1024" required></label>
              <label>Repeat it <input type="password" name="confirm_password" autocomplete="new-password" minlength="10" maxlength="1024" required></label>
              <div class="actions"><button type="submit">\(hasPassword ? "Change password" : "Set password")</button></div>
              <p class="muted small">At least 10 characters. Changing it signs you out everywhere.</p>
            </form>\(invited)</section>
            """
    }

    private func roleOptions(_ principal: Principal, selected: String = "developer") -> [HTML] {
        Self.roles.filter { principal.mayGrant($0) }.map { role in
            "<option value=\"\(role.rawValue)\"\(HTML.attribute("selected", when: role.rawValue == selected))>\(Layout.roleName(role))</option>"
        }
    }

    private func keys(_ context: AppRequestContext, _ principal: Principal) async throws -> HTML {
        let list = try await api.require(.get, "keys", context: context).list
        let manage = principal.allows(.keysManage)
        let rows = list.map { key -> HTML in
            let status = key["status"]?.stringValue ?? ""
            let revoke: HTML =
                manage && status == "active"
                ? Layout.button("Revoke", action: "/settings/keys/\(key["id"]?.stringValue ?? "")/revoke", context: context, style: "danger small", confirm: "Revoke this key? Programs using it stop working.")
                : ""
            return """
                <tr><td>\(key["name"]?.stringValue ?? "")</td><td class="mono">\(key["prefix"]?.stringValue ?? "")…</td><td>\(key["role"]?.stringValue ?? "")</td>\
                <td>\(Layout.status(status))</td><td class="nowrap">\(Self.day(key["created_at"]))</td><td class="nowrap">\(Self.day(key["last_used_at"]))</td><td>\(revoke)</td></tr>
                """
        }
        let form: HTML =
            manage
            ? """
            <form class="form inline-form" method="post" action="/settings/keys" id="new-key-form">\(Layout.csrf(context))
              <label>Name <input name="name" required maxlength="100" placeholder="ci-pipeline"></label>
              <label>Role <select name="role">\(roleOptions(principal))</select></label>
              <label>Expires after (days) <input type="number" name="expires_days" min="1" max="3650" placeholder="never"></label>
              <div class="actions"><button type="submit" class="primary">Create key</button></div>
            </form>
            """ : ""
        return """
            <section class="card wide" id="keys"><h2>API keys</h2>
            \(list.isEmpty ? Layout.empty("No keys.") : "<div class=\"table-scroll\"><table><thead><tr><th>Name</th><th>Key</th><th>Role</th><th>Status</th><th>Created</th><th>Last used</th><th></th></tr></thead><tbody>\(rows)</tbody></table></div>" as HTML)
            \(form)</section>
            """
    }

    private func credentials(_ context: AppRequestContext) async throws -> HTML {
        let list = try await api.require(.get, "credentials", context: context).list
        let rows = list.map { item -> HTML in
            let provider = item["provider"]?.stringValue ?? ""
            let name = item["name"]?.stringValue ?? ""
            return """
                <tr><td>\(provider)</td><td>\(name)</td><td class="nowrap">\(Self.day(item["updated_at"]))</td><td>\
                <form class="inline" method="post" action="/settings/credentials/\(provider)/delete" data-confirm="Delete this credential?">\(Layout.csrf(context))\
                <input type="hidden" name="name" value="\(name)"><button type="submit" class="danger small">Delete</button></form></td></tr>
                """
        }
        let options = Self.providers.map { "<option>\($0)</option>" as HTML }
        return """
            <section class="card" id="credentials"><h2>Provider credentials</h2>
            <p class="muted small">Your tenant's own provider keys serve its runs and gateway calls. They are stored encrypted and never shown again.</p>
            \(list.isEmpty ? Layout.empty("None: runs use the server's provider keys.") : "<table><thead><tr><th>Provider</th><th>Name</th><th>Updated</th><th></th></tr></thead><tbody>\(rows)</tbody></table>" as HTML)
            <form class="form inline-form" method="post" action="/settings/credentials" id="credential-form">\(Layout.csrf(context))
              <label>Provider <select name="provider">\(options)</select></label>
              <label>API key <input type="password" name="secret" required autocomplete="off" maxlength="4096"></label>
              <div class="actions"><button type="submit">Save credential</button></div>
            </form></section>
            """
    }

    private func members(_ context: AppRequestContext, _ principal: Principal) async throws -> HTML {
        let list = try await api.require(.get, "members", context: context).list
        let manage = principal.allows(.membersManage)
        let rows = list.map { member -> HTML in
            let id = member["user_id"]?.stringValue ?? ""
            let role = member["role"]?.stringValue ?? ""
            let editable = manage && Role(rawValue: role).map(principal.mayGrant) == true && id != principal.userID
            let controls: HTML =
                editable
                ? """
                <form class="inline" method="post" action="/settings/members/\(id)/role">\(Layout.csrf(context))<select name="role" aria-label="role">\(roleOptions(principal, selected: role))</select> <button type="submit" class="small">Change</button></form>
                \(Layout.button("Remove", action: "/settings/members/\(id)/remove", context: context, style: "danger small", confirm: "Remove this member from the tenant?"))
                """ : ""
            return """
                <tr><td>\(member["email"]?.stringValue ?? "")</td><td>\(member["display_name"]?.stringValue ?? "")</td><td>\(role.replacingOccurrences(of: "_", with: " "))</td>\
                <td class="nowrap">\(Self.day(member["created_at"]))</td><td>\(controls)</td></tr>
                """
        }
        let form: HTML =
            manage
            ? """
            <form class="form inline-form" method="post" action="/settings/members" id="member-form">\(Layout.csrf(context))
              <label>E-mail <input type="email" name="email" required maxlength="254"></label>
              <label>Name <input name="display_name" maxlength="100"></label>
              <label>Role <select name="role">\(roleOptions(principal))</select></label>
              <label>Initial password <input type="password" name="password" minlength="10" maxlength="1024" autocomplete="new-password" placeholder="optional, new users only"></label>
              <div class="actions"><button type="submit" class="primary">Add member</button></div>
            </form>
            """ : ""
        let pending = try await api.require(.get, "invitations", context: context).list.map { item -> HTML in
            let withdraw: HTML =
                manage
                ? Layout.button("Withdraw", action: "/settings/invitations/\(item["id"]?.stringValue ?? "")/withdraw", context: context, style: "small")
                : ""
            return """
                <tr><td>\(item["email"]?.stringValue ?? "")</td><td>invited</td><td>\((item["role"]?.stringValue ?? "").replacingOccurrences(of: "_", with: " "))</td>\
                <td class="nowrap">until \(Self.day(item["expires_at"]))</td><td>\(withdraw)</td></tr>
                """
        }
        return """
            <section class="card wide" id="members"><h2>Members</h2>
            <div class="table-scroll"><table><thead><tr><th>E-mail</th><th>Name</th><th>Role</th><th>Since</th><th></th></tr></thead><tbody>\(rows)\(pending)</tbody></table></div>
            \(form)</section>
            """
    }

    /// The day of an API timestamp (`2026-12-03T09:00:00Z` → `2026-12-03`), `—` when unset.
    static func day(_ value: JSONValue?) -> String {
        guard let text = value?.stringValue, text.count >= 10 else { return "—" }
        return String(text.prefix(10))
    }
}
