import KimiSwarmCore
import Foundation
import Hummingbird
import KimiSwarmStore
import KimiSwarmPlatform

/// `/`: runs today, running now, failures, the month's spend against the plan's budget, the
/// top swarms and models of the month, and the latest runs. Each part shows only when the
/// caller's role may read it (a billing admin sees money, a viewer sees runs).
struct OverviewPage {
    let store: SwarmStore
    let api: DashboardAPI
    let clock: any SwarmClock

    func register(_ pages: RouterGroup<AppRequestContext>) {
        pages.get("") { _, context in try await overview(context) }
    }

    private func overview(_ context: AppRequestContext) async throws -> Response {
        guard let principal = context.principal else { throw APIError.unauthenticated("sign in first") }
        let tenantID = principal.tenantID
        let now = clock.date()
        let today = UsageRollup.day(of: now)
        let monthStart = String(today.prefix(8)) + "01"
        var cards: [HTML] = []
        var sections: [HTML] = []
        if principal.allows(.runsRead) {
            var filter = RunFilter()
            filter.createdFrom = ISO8601.date(today)
            let todays = try await store.runs.countRuns(tenantID: tenantID, filter: filter)
            filter.status = .failed
            let failed = try await store.runs.countRuns(tenantID: tenantID, filter: filter)
            let active = try await store.runs.activeRunCount(tenantID: tenantID)
            cards.append(Layout.stat("Runs today", Layout.number(todays), id: "stat-runs-today"))
            cards.append(Layout.stat("Running now", Layout.number(active), detail: "<div class=\"detail\">queued or running</div>", id: "stat-running"))
            cards.append(
                Layout.stat(
                    "Failures today", Layout.number(failed),
                    detail: failed == 0 ? "" : "<div class=\"detail\"><a href=\"/runs?status=failed&amp;from=\(today)\">see them</a></div>",
                    id: "stat-failures"))
            let recent = try await store.runs.listRuns(tenantID: tenantID, limit: 8)
            let rows = recent.map { run -> HTML in
                """
                <tr><td class="task"><a href="/runs/\(run.id)">\(RunPages.short(run.task, 70))</a></td><td>\(Layout.status(run.status.rawValue))</td>\
                <td class="nowrap">\(Layout.time(run.createdAt))</td><td class="num">\(Layout.money(run.costUSD))</td></tr>
                """
            }
            let newButton: HTML = principal.allows(.runsWrite) ? "<a class=\"button primary\" href=\"/runs/new\">Start a run</a>" : ""
            sections.append(
                """
                <section class="card wide"><div class="card-head"><h2>Recent runs</h2><a href="/runs">All runs →</a></div>
                \(recent.isEmpty ? Layout.empty("No runs yet.", newButton) : "<div class=\"table-scroll\"><table id=\"recent-runs\"><thead><tr><th>Task</th><th>Status</th><th>Created</th><th class=\"num\">Cost</th></tr></thead><tbody>\(rows)</tbody></table></div>" as HTML)
                </section>
                """)
        }
        // The month's spend against the budget: every role may read its quota (GET /quota).
        let limits = try await store.quotas.effectiveQuota(tenantID: tenantID)
        let month = try await store.usage.costSince(tenantID: tenantID, fromDay: monthStart)
        let spent = NSDecimalNumber(decimal: month.costUSD).doubleValue
        let budget = limits.monthlyCostLimitUSD.map { NSDecimalNumber(decimal: $0).doubleValue }
        cards.append(
            """
            <div class="card stat spend" id="stat-spend"><div class="label">Spend this month</div><div class="value">\(Layout.money(month.costUSD))</div>
            \(SVGCharts.gauge(used: spent, limit: budget, label: "Monthly budget"))
            <div class="detail">\(Layout.number(month.tokens)) tokens</div></div>
            """)
        if principal.allows(.usageRead) {
            let models = try await store.usage.breakdown(tenantID: tenantID, fromDay: monthStart, toDay: today, by: .model)
            let templates = try await store.usage.breakdown(tenantID: tenantID, fromDay: monthStart, toDay: today, by: .template)
            sections.append(
                """
                <section class="card"><div class="card-head"><h2>Top models this month</h2><a href="/costs">Costs →</a></div>
                \(SVGCharts.breakdown(CostPage.points(models), caption: "Cost by model", unit: CostPage.moneyAxis))</section>
                <section class="card"><div class="card-head"><h2>Top swarms this month</h2></div>
                \(SVGCharts.breakdown(CostPage.points(templates), caption: "Cost by swarm", unit: CostPage.moneyAxis))</section>
                """)
        }
        let content: HTML = """
            <div class="page-head"><h1>Overview</h1><p class="muted">Tenant \(principal.tenantID) · \(today)</p></div>
            <div class="stats">\(cards)</div>
            <div class="sections">\(sections)</div>
            """
        return Page.response(Layout.page("Overview", page: "overview", active: "/", context: context, content))
    }
}
