import Foundation
import KimiSwarmCore
import KimiSwarmStore
import KimiSwarmTesting
import NIOHTTP1
import Testing

@testable import KimiSwarmPlatform
@testable import KimiSwarmServer

/// Every dashboard page rendered over real HTTP, for every role: what each role may open,
/// what it sees there, and the forms that change things (through the API's own checks).
@Suite("Dashboard pages")
struct DashboardPageTests {
    /// Page → the roles that may open it (the others get 403).
    static let access: [(path: String, page: String, roles: Set<Role>)] = [
        ("/", "overview", Set(Role.allCases)),
        ("/runs", "history", [.superAdmin, .tenantAdmin, .developer, .viewer]),
        ("/runs/new", "new-run", [.superAdmin, .tenantAdmin, .developer]),
        ("/agents", "agents", [.superAdmin, .tenantAdmin, .developer, .viewer]),
        ("/agents/new", "agent-editor", [.superAdmin, .tenantAdmin, .developer]),
        ("/costs", "costs", Set(Role.allCases)),
        ("/settings", "settings", Set(Role.allCases)),
        ("/admin", "admin", [.superAdmin]),
    ]

    @Test("each page answers each role as the role matrix says, with its navigation")
    func pagesByRole() async throws {
        try await withTestServer(.sqlite) { server in
            let (tenantID, _) = try await server.tenant(role: .tenantAdmin)
            for role in Role.allCases {
                let key = role == .superAdmin ? server.adminKey : try await server.key(in: tenantID, role: role)
                let browser = WebBrowser(server)
                #expect(try await browser.signIn(key: key).status == 303)
                for entry in Self.access {
                    let page = try await browser.get(entry.path)
                    if entry.roles.contains(role) {
                        #expect(page.status == 200, "\(role) \(entry.path)")
                        #expect(page.body.contains("data-page=\"\(entry.page)\""), "\(role) \(entry.path)")
                        #expect(page.header("content-security-policy")?.contains("default-src 'none'") == true)
                    } else {
                        #expect(page.status == 403, "\(role) \(entry.path) answered \(page.status)")
                        #expect(page.body.contains("may not see or do this"))
                    }
                }
                let overview = try await browser.get("/")
                #expect(overview.body.contains("href=\"/admin\"") == (role == .superAdmin), "\(role)")
                #expect(overview.body.contains("href=\"/runs\"") == (role != .billingAdmin), "\(role)")
                let costs = try await browser.get("/costs")
                #expect(costs.body.contains("Spend per day") == [.superAdmin, .tenantAdmin, .billingAdmin].contains(role), "\(role)")
                #expect(costs.body.contains("id=\"plan\""), "every role sees its plan")
                let settings = try await browser.get("/settings")
                #expect(settings.body.contains("id=\"members\"") == [.superAdmin, .tenantAdmin].contains(role), "\(role)")
                #expect(settings.body.contains("id=\"new-key-form\"") == [.superAdmin, .tenantAdmin].contains(role), "\(role)")
            }
        }
    }

    @Test("new run: estimate, start, the live view's parts, the event stream, history and the report", arguments: TestDatabase.available)
    func runFlow(_ database: TestDatabase) async throws {
        // Scripted short answers: the echo model's long ones make thousands of events.
        try await withTestServer(database, script: SwarmScript()) { server in
            let (tenantID, key) = try await server.tenant(role: .developer)
            let browser = WebBrowser(server)
            try await browser.signIn(key: key)
            _ = try await browser.get("/runs/new")
            let bad = try await browser.post("/runs/new", ["task": "Review it", "swarm": "security", "max_cost_usd": "lots", "action": "estimate"])
            #expect(bad.status == 422)
            #expect(bad.body.contains("Max cost must be a number"))
            let unknown = try await browser.post("/runs/new", ["task": "Review it", "swarm": "nope", "action": "estimate"])
            #expect(unknown.status == 422)
            #expect(unknown.body.contains("Unknown swarm `nope`"))
            let task = "Review <script>alert(1)</script> our sign-in"
            let estimate = try await browser.post("/runs/new", ["task": task, "swarm": "security", "max_cost_usd": "2", "action": "estimate"])
            #expect(estimate.status == 200)
            #expect(estimate.body.contains("<h2>Estimate</h2>"))
            // The fragment the page's script asks for as the form changes.
            let live = try await browser.post("/runs/estimate", ["task": task, "swarm": "security"])
            #expect(live.body.hasPrefix("<div id=\"estimate\"") && live.body.contains("<h2>Estimate</h2>"))
            #expect(try await browser.post("/runs/estimate", ["task": task, "concurrency": "0"]).body.contains("Concurrency must be a whole number"))
            let nonce = try #require(WebBrowser.firstMatch(#"name="nonce" value="([^"]+)""#, in: estimate.body))
            let started = try await browser.post("/runs/new", ["task": task, "swarm": "security", "max_cost_usd": "2", "action": "start", "nonce": nonce])
            #expect(started.status == 303)
            let location = try #require(started.location)
            #expect(location.hasPrefix("/runs/"))
            // The same form posted twice is one run.
            let again = try await browser.post("/runs/new", ["task": task, "swarm": "security", "max_cost_usd": "2", "action": "start", "nonce": nonce])
            #expect(again.location == location)
            let runID = String(location.dropFirst("/runs/".count))
            _ = try await server.waitForRun(runID, key: key)

            let view = try await browser.get(location)
            #expect(view.status == 200)
            #expect(view.body.contains("data-run-status=\"succeeded\""))
            #expect(view.body.contains("<svg id=\"run-graph\""))
            let nodes = view.count(" data-state=\"")
            #expect(nodes >= 2)
            #expect(view.count("data-state=\"done\"") == nodes, "every node of a succeeded run is done")
            #expect(view.body.contains("<g class=\"node critical\"") && view.body.contains("class=\"edge critical\""), "the critical path is marked")
            #expect(view.body.contains("id=\"budget-gauge\""))
            #expect(view.body.contains("<h2>Report</h2>"))
            #expect(!view.body.contains("<script>alert(1)"), "the task is escaped")
            #expect(view.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!view.body.contains("id=\"cancel-form\""), "a finished run has no cancel button")

            let events = try await browser.get("\(location)/events")
            #expect(events.header("content-type") == "text/event-stream")
            #expect(events.body.contains("event: planned") && events.body.contains("event: finished"))
            let resumed = try await browser.get("\(location)/events", headers: ["Last-Event-ID": "3"])
            #expect(!resumed.body.contains("id: 3\n") && resumed.body.contains("id: 4\n"))
            #expect(try await browser.get("\(location)/graph").body.contains("id=\"graph-box\""))
            #expect(try await browser.get("\(location)/report").body.contains("data-run-status=\"succeeded\""))
            let markdown = try await browser.get("\(location)/report.md")
            #expect(markdown.header("content-type")?.hasPrefix("text/markdown") == true)

            let overview = try await browser.get("/")
            #expect(overview.body.contains(#"id="stat-runs-today"><div class="label">Runs today</div><div class="value">1</div>"#))
            #expect(overview.body.contains(#"id="stat-failures"><div class="label">Failures today</div><div class="value">0</div>"#))
            #expect(overview.body.contains("href=\"\(location)\""), "a recent run")

            let history = try await browser.get("/runs")
            #expect(history.body.contains("href=\"\(location)\""))
            #expect(!(try await browser.get("/runs?status=failed")).body.contains("href=\"\(location)\""))
            #expect(try await browser.get("/runs?template=security&q=sign-in").body.contains("href=\"\(location)\""))
            #expect(try await browser.get("/runs?from=yesterday").body.contains("is not a date"))

            // A viewer sees the run but cannot cancel or resume it.
            let viewer = WebBrowser(server)
            try await viewer.signIn(key: try await server.key(in: tenantID, role: .viewer))
            let seen = try await viewer.get(location)
            #expect(seen.status == 200)
            #expect(!seen.body.contains("id=\"resume-form\""))
            #expect(try await viewer.post("\(location)/resume").status == 403)
            // Another tenant's run is not found.
            let stranger = WebBrowser(server)
            try await stranger.signIn(key: try await server.tenant(role: .tenantAdmin).key)
            #expect(try await stranger.get(location).status == 404)
            #expect(try await stranger.get("\(location)/events").status == 404)
        }
    }

    @Test("a planner run waits for its plan: the view and the graph fragment say so until it is planned")
    func plannerRunWaits() async throws {
        try await withTestServer(.sqlite, workers: 0) { server in
            let (tenantID, key) = try await server.tenant(role: .developer)
            let browser = WebBrowser(server)
            try await browser.signIn(key: key)
            _ = try await browser.get("/runs/new")
            let started = try await browser.post("/runs/new", ["task": "Plan a migration", "swarm": "", "action": "start"])
            let location = try #require(started.location)
            let view = try await browser.get(location)
            #expect(view.body.contains("data-run-status=\"queued\""))
            #expect(view.body.contains("Waiting for the planner"))
            #expect(view.body.contains("id=\"cancel-form\""), "a queued run can be cancelled")
            #expect(try await browser.get("\(location)/graph").body.contains("Waiting for the planner"))
            // Once planned, the graph comes from the run's `planned` event (the script asks on it).
            let runID = String(location.dropFirst("/runs/".count))
            let graph = #"{"graph":{"tasks":[{"id":"survey","template":"generalist","instructions":"Survey.","expected_output":"A list.","depends_on":[]},"# + #"{"id":"plan","template":"generalist","instructions":"Plan.","expected_output":"A plan.","depends_on":["survey"]}]}}"#
            _ = try await server.store.events.appendEvent(tenantID: tenantID, runID: runID, type: "planned", data: graph)
            let planned = try await browser.get("\(location)/graph")
            #expect(planned.body.contains("<svg id=\"run-graph\"") && planned.body.contains("data-agent=\"survey\"") && planned.body.contains("data-from=\"survey\" data-to=\"plan\""))
            #expect(try await browser.post("\(location)/cancel").status == 303)
            #expect(try await browser.get(location).body.contains("data-run-status=\"cancelled\""))
            #expect(try await browser.get(location).body.contains("id=\"resume-form\""))
        }
    }

    @Test("history pages with a cursor, 25 runs a page")
    func historyPaging() async throws {
        try await withTestServer(.sqlite, workers: 0) { server in
            let (tenantID, key) = try await server.tenant(role: .viewer)
            for index in 0..<30 { _ = try await server.store.runs.submitTestRun(tenantID: tenantID, task: "task number \(index)") }
            let browser = WebBrowser(server)
            try await browser.signIn(key: key)
            let first = try await browser.get("/runs")
            #expect(first.count("<tr><td class=\"nowrap\">") == 25)
            let next = try #require(WebBrowser.firstMatch(#"id="next-page" href="([^"]+)""#, in: first.body))
            let second = try await browser.get(next.replacingOccurrences(of: "&amp;", with: "&"))
            #expect(second.count("<tr><td class=\"nowrap\">") == 5)
            #expect(!second.body.contains("id=\"next-page\""))
            #expect(try await browser.get("/runs?cursor=garbage").body.contains("not valid"))
        }
    }

    @Test("agents: create with validation messages, edit, duplicate, delete")
    func agents() async throws {
        try await withTestServer(.sqlite) { server in
            let (_, key) = try await server.tenant(role: .developer)
            let browser = WebBrowser(server)
            try await browser.signIn(key: key)
            let list = try await browser.get("/agents")
            #expect(list.body.contains("Shipped templates"))
            let duplicate = try await browser.get("/agents/new?from=generalist")
            #expect(duplicate.body.contains("id: generalist-copy"))
            let invalid = try await browser.post("/agents/new", ["definition": "id: Bad Id\nname: x\n"])
            #expect(invalid.status == 422)
            #expect(invalid.body.contains("id=\"form-error\""))
            #expect(invalid.body.contains("id: Bad Id"), "the form keeps what was typed")
            let definition = WebBrowser.firstMatch(#"(?s)<textarea name="definition"[^>]*>(.*?)</textarea>"#, in: duplicate.body)!
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
            let created = try await browser.post("/agents/new", ["definition": definition])
            #expect(created.status == 303, "\(created.body.prefix(600))")
            #expect(try await browser.get("/agents").body.contains("generalist-copy"))
            let edit = try await browser.get("/agents/generalist-copy")
            #expect(edit.body.contains("id=\"template-form\""))
            let renamed = definition.replacingOccurrences(of: "name: Generalist", with: "name: Our generalist")
            #expect(try await browser.post("/agents/generalist-copy", ["definition": renamed]).status == 303)
            #expect(try await browser.get("/agents").body.contains("Our generalist"))
            let shipped = try await browser.post("/agents/generalist", ["definition": renamed])
            #expect(shipped.status == 409)
            #expect(try await browser.post("/agents/generalist-copy/delete").status == 303)
            #expect(!(try await browser.get("/agents")).body.contains("generalist-copy"))
        }
    }

    @Test("settings: a new key's secret is shown once and works; revoking it stops it")
    func keys() async throws {
        try await withTestServer(.sqlite) { server in
            let (_, key) = try await server.tenant(role: .tenantAdmin)
            let browser = WebBrowser(server)
            try await browser.signIn(key: key)
            _ = try await browser.get("/settings")
            let over = try await browser.post("/settings/keys", ["name": "ci", "role": "super_admin"])
            #expect(over.status == 403)
            let created = try await browser.post("/settings/keys", ["name": "ci", "role": "developer", "expires_days": "30"])
            #expect(created.status == 201)
            let secret = try #require(WebBrowser.firstMatch(#"id="new-key-secret" class="secret">(ks_[^<]+)<"#, in: created.body))
            #expect(try await server.request(.GET, "/api/v1/me", key: secret).status == 200)
            let page = try await browser.get("/settings")
            #expect(!page.body.contains(secret), "the secret is shown once")
            let revoke = try #require(WebBrowser.firstMatch(#"(?s)<tr><td>ci</td>(?:(?!</tr>).)*action="(/settings/keys/[^"]+/revoke)""#, in: page.body))
            #expect(try await browser.post(revoke).status == 303)
            #expect(try await server.request(.GET, "/api/v1/me", key: secret).status == 401)
        }
    }

    @Test("costs and admin: charts, CSV export, health and circuits, tenants")
    func costsAndAdmin() async throws {
        try await withTestServer(.sqlite, script: SwarmScript()) { server in
            let (tenantID, key) = try await server.tenant(role: .tenantAdmin)
            let created = try await server.request(.POST, "/api/v1/runs", key: key, body: #"{"task":"Check it","swarm":"security"}"#)
            let runID = try #require(created.json?["id"]?.stringValue)
            _ = try await server.waitForRun(runID, key: key)
            let browser = WebBrowser(server)
            try await browser.signIn(key: key)
            let costs = try await browser.get("/costs")
            #expect(costs.count("<svg class=\"chart") >= 3)
            #expect(costs.body.contains("security"), "the swarm is a breakdown row")
            let csv = try await browser.get("/costs.csv?group_by=model")
            #expect(csv.header("content-type")?.hasPrefix("text/csv") == true)
            #expect(csv.body.hasPrefix("model,calls"))
            #expect(try await browser.get("/costs?from=2026-13-01").body.contains("must be a date"))
            // The tenant's own limits: lowering works, raising above the plan does not.
            try await server.store.directory.setPlan(tenantID: tenantID, planID: "pro")
            _ = try await browser.get("/costs")
            #expect(try await browser.post("/costs/quota", ["monthly_cost_limit_usd": "20"]).status == 303)
            #expect(try await server.store.quotas.effectiveQuota(tenantID: tenantID).monthlyCostLimitUSD == 20)
            let raise = try await browser.post("/costs/quota", ["requests_per_minute": "100000"])
            #expect(raise.status == 403)
            #expect(raise.body.contains("would be above the limit your plan and the super admin allow"))

            let admin = WebBrowser(server)
            try await admin.signIn(key: server.adminKey)
            let page = try await admin.get("/admin")
            #expect(page.body.contains("id=\"health\"") && page.body.contains("Provider circuits"))
            #expect(page.body.contains(tenantID))
            let made = try await admin.post("/admin/tenants", ["name": "Acme", "id": "acme", "plan_id": "pro"])
            #expect(made.status == 303)
            #expect(try await server.store.directory.tenant(tenantID: "acme")?.planID == "pro")
            let suspended = try await admin.post("/admin/tenants/acme", ["suspended": "true"])
            #expect(suspended.status == 303)
            #expect(try await server.store.directory.tenant(tenantID: "acme")?.isSuspended == true)
            let plan = try await admin.post("/admin/plans", ["id": "team", "name": "Team", "monthly_cost_limit_usd": "50", "requests_per_minute": "many"])
            #expect(plan.status == 422)
            #expect(try await admin.post("/admin/plans", ["id": "team", "name": "Team", "monthly_cost_limit_usd": "50"]).status == 303)
            #expect(try await server.store.quotas.plan(id: "team")?.limits.monthlyCostLimitUSD == 50)
        }
    }

    @Test("a page view counts as one request against the plan's requests per minute, in the same bucket as the API")
    func rateLimit() async throws {
        try await withTestServer(.sqlite, workers: 0) { server in
            let (_, key) = try await server.tenant(role: .tenantAdmin, plan: "free")  // 60 requests a minute
            let browser = WebBrowser(server)
            try await browser.signIn(key: key)
            // The cost page makes 8 API calls: counted one by one, the limit would stop it by the
            // 8th view. Counted as one request, it takes 60 views (more as the bucket refills).
            var views = 0
            var limited: Int?
            while limited == nil, views < 400 {
                let page = try await browser.get("/costs")
                views += 1
                if page.status == 429 {
                    limited = views
                    #expect(page.header("content-type")?.hasPrefix("text/html") == true)
                    #expect(page.header("retry-after") != nil)
                } else {
                    #expect(page.status == 200)
                }
            }
            let first = try #require(limited)
            #expect(first > 50)
            var statuses: [Int] = []
            for _ in 0..<90 { statuses.append(try await server.request(.GET, "/api/v1/me", key: key).status) }
            #expect(statuses.contains(429))
        }
    }

    @Test("assets are served with a version; unknown pages are an HTML 404")
    func assets() async throws {
        try await withTestServer(.sqlite, workers: 0) { server in
            let browser = WebBrowser(server)
            let css = try await browser.get("/static/app.css?v=\(DashboardAssets.version)")
            #expect(css.status == 200 && css.header("content-type")?.hasPrefix("text/css") == true)
            #expect(css.header("cache-control")?.contains("immutable") == true)
            #expect(try await browser.get("/static/app.js").body.contains("EventSource"))
            #expect(try await browser.get("/static/nope.js").status == 404)
            try await browser.signIn(key: server.adminKey)
            let missing = try await browser.get("/runs/no-such-run")
            #expect(missing.status == 404)
            #expect(missing.header("content-type")?.hasPrefix("text/html") == true)
        }
    }
}
