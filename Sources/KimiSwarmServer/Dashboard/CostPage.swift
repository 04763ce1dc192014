import Foundation
import HTTPTypes
import Hummingbird
import KimiSwarmCore
import KimiSwarmPlatform
import KimiSwarmStore

/// `/costs`: spend and tokens per day over a chosen range, the same range by model, swarm,
/// user and API key, a CSV export of any of them, and the tenant's plan and limits. The
/// figures come from `GET /api/v1/usage` (so the range rules and roles are the API's).
struct CostPage {
    let api: DashboardAPI
    let clock: any SwarmClock

    func register(_ pages: RouterGroup<AppRequestContext>) {
        pages.get("costs") { request, context in
            let done: HTML? = request.uri.queryParameters["done"] == "quota-saved" ? "The tenant's limits were saved." : nil
            return try await costs(request, context, notice: done)
        }
        pages.post("costs/quota") { request, context in
            try DashboardAccess.require(.quotaManage, context)
            let form = try await WebForm.read(request, context: context)
            let reply: APIReply
            do {
                reply = try await api.call(.put, "quota", json: .object(try AdminPage.limits(form)), context: context)
            } catch let error as APIError {
                return try await costs(request, context, error: error.message, status: error.status)
            }
            guard reply.ok else { return try await costs(request, context, error: reply.problem, status: reply.status) }
            return Page.redirect("/costs?done=quota-saved")
        }
        pages.get("costs.csv") { request, context in
            try DashboardAccess.require(.usageRead, context)
            let query = request.uri.queryParameters
            let names: [String] = ["group_by", "from", "to"]
            let items = names.compactMap { name in query[Substring(name)].map { (name, String($0)) } }
            return try await api.send(.get, "usage.csv?" + RunPages.query(items), context: context)
        }
    }

    private func costs(
        _ request: Request, _ context: AppRequestContext, notice: HTML? = nil, error: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let principal = context.principal else { throw APIError.unauthenticated("sign in first") }
        if !principal.allows(.plansRead) { try DashboardAccess.require(.usageRead, context) }
        let query = request.uri.queryParameters
        let today = UsageRollup.day(of: clock.date())
        let from = query["from"].map(String.init).flatMap { $0.isEmpty ? nil : $0 } ?? UsageRollup.day(of: clock.date().addingTimeInterval(-29 * 86_400))
        let to = query["to"].map(String.init).flatMap { $0.isEmpty ? nil : $0 } ?? today
        let range = RunPages.query([("from", from), ("to", to)])
        var sections: [HTML] = []
        var problem = error
        if principal.allows(.usageRead) {
            let byDay = try await api.call(.get, "usage?group_by=day&" + range, context: context)
            if byDay.ok {
                let days = Self.filledDays(byDay.list, from: from, to: to)
                let total = byDay.object["total"] ?? [:]
                sections.append(
                    """
                    <div class="stats">
                      \(Layout.stat("Spend", Layout.money(total["cost_usd"]?.stringValue), id: "costs-total"))
                      \(Layout.stat("Tokens", Layout.number(total["total_tokens"]?.intValue ?? 0)))
                      \(Layout.stat("Model calls", Layout.number(total["calls"]?.intValue ?? 0)))
                      \(Layout.stat("Cache hits", Layout.number(total["cache_hits"]?.intValue ?? 0)))
                      \(Layout.stat("Saved by the cache", Layout.money(total["saved_usd"]?.stringValue), id: "costs-saved"))
                    </div>
                    <section class="card wide"><div class="card-head"><h2>Spend per day</h2>\(csvLink("day", range))</div>
                    \(SVGCharts.bars(days.map { SVGCharts.Point(label: String($0.key.suffix(5)), value: $0.cost, detail: "\($0.key): \(Layout.money(Decimal($0.cost)))") }, caption: "US dollars per UTC day", unit: Self.moneyAxis))</section>
                    <section class="card wide"><div class="card-head"><h2>Tokens per day</h2></div>
                    \(SVGCharts.bars(days.map { SVGCharts.Point(label: String($0.key.suffix(5)), value: Double($0.tokens), detail: "\($0.key): \(Layout.number($0.tokens)) tokens") }, caption: "Tokens (input and output) per UTC day", unit: Self.countAxis))</section>
                    """)
                let names = try await Self.names(api, context)
                for (dimension, title) in [("model", "By model"), ("template", "By swarm"), ("user", "By user"), ("api_key", "By API key")] {
                    let reply = try await api.call(.get, "usage?group_by=\(dimension)&" + range, context: context)
                    guard reply.ok else { continue }
                    let rows = reply.list.map { row -> (String, JSONValue) in
                        let key = row["key"]?.stringValue ?? ""
                        return (key.isEmpty ? "(none)" : names[key] ?? key, row)
                    }
                    sections.append(
                        """
                        <section class="card"><div class="card-head"><h2>\(title)</h2>\(csvLink(dimension, range))</div>
                        \(SVGCharts.breakdown(rows.map { SVGCharts.Point(label: $0.0, value: Double($0.1["cost_usd"]?.stringValue ?? "0") ?? 0, detail: "\($0.0): \(Layout.money($0.1["cost_usd"]?.stringValue)), \(Layout.number($0.1["total_tokens"]?.intValue ?? 0)) tokens, \($0.1["calls"]?.intValue ?? 0) calls") }, caption: "Cost \(title.lowercased())", unit: Self.moneyAxis))
                        \(Self.table(rows))</section>
                        """)
                }
            } else {
                problem = byDay.problem
            }
        }
        if principal.allows(.plansRead) {
            let quota = try await api.call(.get, "quota", context: context)
            if quota.ok { sections.append(Self.planSection(quota.object, context: context)) }
        }
        let content: HTML = """
            <div class="page-head"><h1>Cost analytics</h1></div>
            <form class="filters card" method="get" action="/costs">
              <label>From <input type="date" name="from" value="\(from)"></label>
              <label>To <input type="date" name="to" value="\(to)"></label>
              <div class="filter-actions"><button type="submit">Show</button> <a href="/costs">Last 30 days</a></div>
            </form>
            \(problem.map { "<p class=\"error\" role=\"alert\">\(DashboardErrorMiddleware.sentence($0))</p>" as HTML })
            <div class="sections">\(sections)</div>
            """
        return Page.response(Layout.page("Costs", page: "costs", active: "/costs", context: context, notice: notice, content), status: status)
    }

    private func csvLink(_ dimension: String, _ range: String) -> HTML {
        "<a class=\"button small\" href=\"/costs.csv?group_by=\(dimension)&amp;\(range)\" download>CSV</a>"
    }

    /// Every day of the range, zero where nothing was used (the API lists used days only).
    static func filledDays(_ rows: [JSONValue], from: String, to: String) -> [(key: String, cost: Double, tokens: Int)] {
        var byKey: [String: JSONValue] = [:]
        for row in rows { if let key = row["key"]?.stringValue { byKey[key] = row } }
        guard var day = ISO8601.date(from), let end = ISO8601.date(to), day <= end else { return [] }
        var out: [(String, Double, Int)] = []
        while day <= end, out.count < 400 {
            let key = UsageRollup.day(of: day)
            let row = byKey[key]
            out.append((key, Double(row?["cost_usd"]?.stringValue ?? "0") ?? 0, row?["total_tokens"]?.intValue ?? 0))
            day = day.addingTimeInterval(86_400)
        }
        return out
    }

    /// User and key ids → e-mails and key names, for labels.
    static func names(_ api: DashboardAPI, _ context: AppRequestContext) async throws -> [String: String] {
        var names: [String: String] = [:]
        if context.principal?.allows(.membersRead) == true {
            for member in try await api.call(.get, "members", context: context).list {
                if let id = member["user_id"]?.stringValue, let email = member["email"]?.stringValue { names[id] = email }
            }
        }
        if context.principal?.allows(.keysRead) == true {
            for key in try await api.call(.get, "keys", context: context).list {
                if let id = key["id"]?.stringValue, let name = key["name"]?.stringValue { names[id] = "\(name) (\(key["prefix"]?.stringValue ?? ""))" }
            }
        }
        return names
    }

    static func table(_ rows: [(String, JSONValue)]) -> HTML {
        guard !rows.isEmpty else { return "" }
        let body = rows.sorted { (Double($0.1["cost_usd"]?.stringValue ?? "0") ?? 0) > (Double($1.1["cost_usd"]?.stringValue ?? "0") ?? 0) }.map { label, row -> HTML in
            """
            <tr><td>\(label)</td><td class="num">\(Layout.number(row["calls"]?.intValue ?? 0))</td>\
            <td class="num">\(Layout.number(row["total_tokens"]?.intValue ?? 0))</td><td class="num">\(Layout.money(row["cost_usd"]?.stringValue))</td></tr>
            """
        }
        return """
            <details><summary>Table</summary><div class="table-scroll"><table><thead><tr><th></th><th class="num">Calls</th><th class="num">Tokens</th>\
            <th class="num">Cost</th></tr></thead><tbody>\(body)</tbody></table></div></details>
            """
    }

    static func planSection(_ quota: JSONValue, context: AppRequestContext) -> HTML {
        let plan = quota["plan"]
        let effective = quota["effective"] ?? [:]
        let usage = quota["usage"] ?? [:]
        let labels: [(String, String)] = [
            ("monthly_cost_limit_usd", "Monthly budget (USD)"), ("monthly_token_limit", "Tokens per month"), ("daily_token_limit", "Tokens per day"),
            ("requests_per_minute", "Requests per minute"), ("max_concurrent_runs", "Concurrent runs"), ("max_subagents_per_run", "Sub-agents per run"),
        ]
        let rows = labels.map { key, label -> HTML in
            let value = effective[key]
            let text = value.flatMap { value in value.stringValue.map { "$" + $0 } ?? value.displayText } ?? "no limit"
            return "<tr><td>\(label)</td><td class=\"num\">\(text)</td></tr>"
        }
        return """
            <section class="card" id="plan"><div class="card-head"><h2>Plan: \(plan?["name"]?.stringValue ?? "none")</h2></div>
            <table><tbody>\(rows)</tbody></table>
            <p class="muted small">This month: \(Layout.money(usage["cost_this_month_usd"]?.stringValue)) and \(Layout.number(usage["tokens_this_month"]?.intValue ?? 0)) tokens; \
            \(usage["active_runs"]?.intValue ?? 0) active runs.</p>
            \(overridesForm(quota, context: context))</section>
            """
    }

    /// The limits the caller may set: a super admin, the tenant's overrides of its plan (any
    /// value); a tenant admin, the tenant's own limits, at or below that ceiling.
    static func overridesForm(_ quota: JSONValue, context: AppRequestContext) -> HTML {
        guard let principal = context.principal, principal.allows(.quotaManage) else { return "" }
        let values = quota[principal.isSuperAdmin ? "overrides" : "tenant_limits"] ?? [:]
        let explanation: HTML =
            principal.isSuperAdmin
            ? "The tenant's overrides of its plan: they may raise or lower it, and the tenant's admins can only tighten them. Empty: the plan's."
            : "Your tenant's own limits: at most what the plan and the super admin allow (only a super admin may raise those). Empty: no limit of your own."
        return """
            <form class="form inline-form" method="post" action="/costs/quota" id="quota-form">\(Layout.csrf(context))
              <p class="muted small">\(explanation)</p>
              \(AdminPage.limitInputs(values))
              <div class="actions"><button type="submit">Save limits</button></div>
            </form>
            """
    }

    static func points(_ groups: [UsageGroup]) -> [SVGCharts.Point] {
        groups.map { group in
            let label = group.key.isEmpty ? "(none)" : group.key
            return SVGCharts.Point(
                label: label, value: NSDecimalNumber(decimal: group.costUSD).doubleValue,
                detail: "\(label): \(Layout.money(group.costUSD)), \(Layout.number(group.usage.totalTokens)) tokens, \(group.calls) calls")
        }
    }

    static let moneyAxis: @Sendable (Double) -> String = { value in
        value == 0 ? "$0" : value < 0.01 ? String(format: "$%.4f", value) : value < 10 ? String(format: "$%.2f", value) : String(format: "$%.0f", value)
    }
    static let countAxis: @Sendable (Double) -> String = { value in
        value >= 1_000_000 ? String(format: "%.1fM", value / 1_000_000) : value >= 1000 ? String(format: "%.0fk", value / 1000) : String(Int(value))
    }
}
