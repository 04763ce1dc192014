import Foundation
import KimiSwarmStore
import KimiSwarmPlatform

/// The page shell every dashboard page shares: the header with the navigation the caller's
/// role allows, who is signed in, the sign-out form, and the one stylesheet and script.
enum Layout {
    struct NavItem: Sendable {
        var path: String
        var label: String
        var visible: @Sendable (Principal) -> Bool
    }

    static let navigation: [NavItem] = [
        NavItem(path: "/", label: "Overview") { _ in true },
        NavItem(path: "/runs", label: "Runs") { $0.allows(.runsRead) },
        NavItem(path: "/agents", label: "Agents") { $0.allows(.templatesRead) },
        NavItem(path: "/costs", label: "Costs") { $0.allows(.usageRead) || $0.allows(.plansRead) },
        NavItem(path: "/settings", label: "Settings") { _ in true },
        NavItem(path: "/admin", label: "Admin") { $0.allows(.tenantsManage) },
    ]

    /// A whole signed-in page. `page` is the `data-page` name tests and scripts find it by.
    static func page(_ title: String, page: String, active: String, context: AppRequestContext, notice: HTML? = nil, _ content: HTML)
        -> HTML
    {
        let principal = context.principal
        let nav = navigation.filter { item in principal.map(item.visible) ?? false }.map { item -> HTML in
            let current = item.path == active ? HTML(unsafeRaw: " aria-current=\"page\"") : ""
            return "<a href=\"\(item.path)\"\(current)>\(item.label)</a>"
        }
        var account: HTML = ""
        if let principal, let web = context.web {
            account = """
                <div class="account">
                  <span class="who" title="\(web.who)">\(web.who)</span>
                  <span class="badge role">\(roleName(principal.role))</span>
                  \(tenantSwitch(principal, web, context))
                  <form id="sign-out" method="post" action="/logout">\(csrf(context))<button class="link" type="submit">Sign out</button></form>
                </div>
                """
        }
        return document(
            title, page: page,
            """
            <header class="top">
              <a class="brand" href="/"><img src="/static/logo.svg" alt="" width="22" height="22"> KimiSwarm</a>
              <nav aria-label="main">\(nav)</nav>
              \(account)
            </header>
            <div class="wrap">
            \(notice.map { "<div class=\"notice\" role=\"status\">\($0)</div>" as HTML })
            \(content)
            </div>
            """)
    }

    /// The acting tenant, as a menu when the user may switch.
    static func tenantSwitch(_ principal: Principal, _ web: WebSignIn, _ context: AppRequestContext) -> HTML {
        guard web.tenants.count > 1 else { return "<span class=\"tenant\" title=\"tenant\">\(principal.tenantID)</span>" }
        let options = web.tenants.map { id in "<option\(HTML.attribute("selected", when: id == principal.tenantID))>\(id)</option>" as HTML }
        return """
            <form id="tenant-switch" class="inline tenant" method="post" action="/tenant">\(csrf(context))\
            <select name="tenant" aria-label="tenant" data-autosubmit>\(options)</select> <button type="submit" class="small">Switch</button></form>
            """
    }

    /// The bare HTML document (the sign-in page uses it without the header).
    static func document(_ title: String, page: String, _ body: HTML) -> HTML {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark">
        <title>\(title) · KimiSwarm</title>
        <link rel="icon" href="/static/logo.svg" type="image/svg+xml">
        <link rel="stylesheet" href="/static/app.css?v=\(DashboardAssets.version)">
        <script src="/static/app.js?v=\(DashboardAssets.version)" defer></script>
        </head>
        <body data-page="\(page)">
        \(body)
        </body>
        </html>
        """
    }

    /// The hidden CSRF field every form carries.
    static func csrf(_ context: AppRequestContext) -> HTML {
        "<input type=\"hidden\" name=\"_csrf\" value=\"\(context.web?.session.csrfToken ?? "")\">"
    }

    /// A form with one button that posts to `action` (cancel, revoke, delete...).
    static func button(_ label: String, action: String, context: AppRequestContext, style: String = "", confirm: String? = nil, id: String? = nil) -> HTML {
        let confirmAttribute: HTML = confirm.map { " data-confirm=\"\($0)\"" } ?? ""
        let idAttribute: HTML = id.map { " id=\"\($0)\"" } ?? ""
        return """
            <form class="inline" method="post" action="\(action)"\(idAttribute)\(confirmAttribute)>\(csrf(context))<button type="submit" class="\(style)">\(label)</button></form>
            """
    }

    static func roleName(_ role: Role) -> String { role.rawValue.replacingOccurrences(of: "_", with: " ") }

    /// A run's status as a coloured badge.
    static func status(_ status: String) -> HTML { "<span class=\"badge status-\(status)\">\(status)</span>" }

    /// An empty state: what is missing and what to do about it.
    static func empty(_ message: String, _ action: HTML = "") -> HTML { "<div class=\"empty\"><p>\(message)</p>\(action)</div>" }

    /// A labelled figure for the overview's cards.
    static func stat(_ label: String, _ value: String, detail: HTML = "", id: String? = nil) -> HTML {
        let idAttribute: HTML = id.map { " id=\"\($0)\"" } ?? ""
        return "<div class=\"card stat\"\(idAttribute)><div class=\"label\">\(label)</div><div class=\"value\">\(value)</div>\(detail)</div>"
    }

    /// Money for people: `$0.0123` (four decimals below a dollar, two above).
    static func money(_ value: Decimal) -> String {
        let number = NSDecimalNumber(decimal: value).doubleValue
        return number >= 1 || number == 0 ? String(format: "$%.2f", number) : String(format: "$%.4f", number)
    }

    static func money(_ text: String?) -> String { money(Decimal(string: text ?? "0") ?? 0) }

    static func number(_ value: Int) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.locale = Locale(identifier: "en_US")
        return formatter.string(from: NSNumber(value: value)) ?? String(value)
    }

    static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date) + " UTC"
    }
}
