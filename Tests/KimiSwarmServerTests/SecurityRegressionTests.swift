import AsyncHTTPClient
import Foundation
import KimiSwarmCore
import KimiSwarmEngine
import KimiSwarmServer
import KimiSwarmStore
import KimiSwarmTesting
import NIOCore
import NIOHTTP1
import Testing

/// Each finding of the attack on the server (issue 14), replayed against it: every request
/// that once escalated, trapped, spun or leaked now gets the refusal it should.
@Suite("Security regressions")
struct SecurityRegressionTests {
    static let sessionSecret = String(repeating: "s", count: 40)

    @Test("a key the super admin made acts with its own role, never as the admin's account; sessions made from it neither")
    func keysNeverActAsTheirCreator() async throws {
        try await withTestServer(.sqlite, workers: 0, configure: { $0.sessionSecret = Secret(Self.sessionSecret) }) { server in
            // Made through the API, the keys carry the super admin's user id.
            let created = try await server.request(.POST, "/api/v1/keys", key: server.adminKey, body: #"{"name":"viewer","role":"viewer"}"#)
            #expect(created.status == 201)
            let viewer = try #require(created.json?["key"]?.stringValue)
            let viewerID = try #require(created.json?["id"]?.stringValue)
            let other = try #require(
                try await server.request(.POST, "/api/v1/keys", key: server.adminKey, body: #"{"name":"viewer 2","role":"viewer"}"#).json?["key"]?
                    .stringValue)

            let me = try await server.request(.GET, "/api/v1/me", key: viewer)
            #expect(me.json?["role"]?.stringValue == "viewer")
            #expect(me.json?["user_id"]?.isNull == true && me.json?["email"]?.isNull == true)
            #expect(me.json?["personal"]?.boolValue == false)
            #expect(me.json?["key_created_by"]?.stringValue != nil)
            #expect(!me.body.contains(FirstStart.adminEmail))

            // The admin has no password: the key cannot set one.
            let password = try await server.request(
                .PUT, "/api/v1/me/password", key: viewer, body: #"{"new_password":"correct horse battery staple"}"#)
            #expect(password.status == 403 && password.errorType == "permission_denied")
            #expect(try await server.store.directory.credentials(email: FirstStart.adminEmail)?.passwordHash == nil)
            let browser = WebBrowser(server)
            let signIn = try await browser.signIn(email: FirstStart.adminEmail, password: "correct horse battery staple")
            #expect(signIn.status == 401)
            #expect(try await browser.get("/admin").status != 200)

            // A session made from the key is the key's: a viewer's, bound to the key.
            let session = try await server.request(.POST, "/api/v1/sessions", key: viewer)
            #expect(session.status == 201)
            #expect(session.json?["role"]?.stringValue == "viewer" && session.json?["personal"]?.boolValue == false)
            let token = try #require(session.json?["token"]?.stringValue)
            #expect(try await server.request(.GET, "/api/v1/runs", key: token).status == 200)
            #expect(try await server.request(.GET, "/api/v1/tenants", key: token).status == 403)
            #expect(try await server.request(.POST, "/api/v1/keys", key: token, body: #"{"name":"x","role":"tenant_admin"}"#).status == 403)
            #expect(
                try await server.request(.PUT, "/api/v1/me/password", key: token, body: #"{"new_password":"correct horse battery staple"}"#)
                    .status == 403)
            let again = try await server.request(.POST, "/api/v1/sessions", key: token)
            #expect(again.status == 201 && again.json?["role"]?.stringValue == "viewer")
            #expect(try await server.request(.GET, "/api/v1/me", key: token).json?["user_id"]?.isNull == true)

            // Revoking the key ends its sessions at once.
            #expect(try await server.request(.DELETE, "/api/v1/keys/\(viewerID)", key: server.adminKey).status == 204)
            #expect(try await server.request(.GET, "/api/v1/runs", key: token).status == 401)
            #expect(try await server.request(.GET, "/api/v1/runs", key: try #require(again.json?["token"]?.stringValue)).status == 401)

            // Signed in to the dashboard with a key, it is still the key's role, and no account.
            let keyBrowser = WebBrowser(server)
            #expect(try await keyBrowser.signIn(key: other).status == 303)
            #expect(try await keyBrowser.get("/admin").status == 403)
            let settings = try await keyBrowser.get("/settings")
            #expect(!settings.body.contains("password-form"))
            let change = try await keyBrowser.post(
                "/settings/password", ["new_password": "correct horse battery staple", "confirm_password": "correct horse battery staple"])
            #expect(change.status == 403)
            #expect(try await server.store.directory.credentials(email: FirstStart.adminEmail)?.passwordHash == nil)
        }
    }

    @Test("max_wall_seconds 1e308 is refused; a stored spec with it fails its run and the worker lives on")
    func hugeWallTime() async throws {
        try await withTestServer(.sqlite, workers: 1) { server in
            let (tenantID, key) = try await server.tenant()
            let refused = try await server.request(.POST, "/api/v1/runs", key: key, body: #"{"task":"x","budgets":{"max_wall_seconds":1e308}}"#)
            #expect(refused.status == 422)
            #expect(refused.json?["error"]?["message"]?.stringValue?.contains("budgets.max_wall_seconds") == true)

            // As if written by an older version: the worker reads it back, refuses it, and goes on.
            var limits = RunLimits()
            limits.maxWallSeconds = 1e308
            let spec = String(decoding: try JSONEncoder().encode(RunSpec(task: "x", source: .planner, limits: limits)), as: UTF8.self)
            let runID = "run-huge-\(UUID().uuidString.prefix(8).lowercased())"
            _ = try await server.store.runs.submit(
                RunSubmission(
                    tenantID: tenantID, id: runID, task: "x", spec: spec,
                    jobPayload: #"{"run_id":"\#(runID)","tenant_id":"\#(tenantID)"}"#))
            let run = try await server.waitForRun(runID, key: key)
            #expect(run["status"]?.stringValue == "failed")
            #expect(try await server.request(.GET, "/health").status == 200)
            // And the next run still runs.
            let next = try await server.request(.POST, "/api/v1/runs", key: key, body: #"{"task":"Design it","graph":\#(threeTaskGraph)}"#)
            #expect(next.status == 202)
            #expect(try await server.waitForRun(try #require(next.json?["id"]?.stringValue), key: key)["status"]?.stringValue == "succeeded")
        }
    }

    @Test("a run whose worker died on every attempt is failed, with the reason, instead of retried forever")
    func deadLetteredRunsFail() async throws {
        try await LoopbackProviderServer.withServer { provider in
            try await withFreshLocation(.sqlite) { location in
                let runID = "run-crash-\(UUID().uuidString.prefix(8).lowercased())"
                let (tenantID, key) = try await withTestServer(at: location, provider: provider, workers: 0) { server in
                    let (tenantID, key) = try await server.tenant()
                    let spec = String(decoding: try JSONEncoder().encode(RunSpec(task: "x")), as: UTF8.self)
                    _ = try await server.store.runs.submit(
                        RunSubmission(
                            tenantID: tenantID, id: runID, task: "x", spec: spec,
                            jobPayload: #"{"run_id":"\#(runID)","tenant_id":"\#(tenantID)"}"#, maxAttempts: 1))
                    // A worker claims it and "crashes": its lease runs out with no outcome.
                    _ = try await server.store.jobs.claim(queue: "runs", workerID: "crashed", leaseDuration: .milliseconds(1))
                    try await Task.sleep(for: .milliseconds(20))
                    return (tenantID, key)
                }
                try await withTestServer(at: location, provider: provider, workers: 1) { server in
                    let run = try await server.waitForRun(runID, key: key)
                    #expect(run["status"]?.stringValue == "failed")
                    let result = try await server.request(.GET, "/api/v1/runs/\(runID)/result", key: key)
                    #expect(result.body.contains("worker stopped"))
                    #expect(try await server.store.jobs.jobs(tenantID: tenantID, status: .dead).count == 1)
                    #expect(provider.requestCount == 0)
                }
            }
        }
    }

    @Test("estimates are bounded by the budgets' ranges and the plan's caps, and answer at once")
    func boundedEstimates() async throws {
        try await withTestServer(.sqlite, workers: 0) { server in
            let (_, key) = try await server.tenant()
            let started = ContinuousClock.now
            let huge = try await server.request(.POST, "/api/v1/runs/estimate", key: key, body: #"{"task":"x","budgets":{"max_sub_agents":1000000000}}"#)
            #expect(huge.status == 422 && huge.json?["error"]?["message"]?.stringValue?.contains("budgets.max_sub_agents") == true)
            let largest = try await server.request(.POST, "/api/v1/runs/estimate", key: key, body: #"{"task":"x","budgets":{"max_sub_agents":1000}}"#)
            #expect(largest.status == 200)
            #expect(ContinuousClock.now - started < .seconds(10))
            // The free plan allows 10 sub-agents per run: estimates say so as admission does.
            let (_, free) = try await server.tenant(plan: "free")
            let capped = try await server.request(.POST, "/api/v1/runs/estimate", key: free, body: #"{"task":"x","budgets":{"max_sub_agents":50}}"#)
            #expect(capped.status == 422 && capped.errorType == "quota_exceeded")
            let fits = try await server.request(.POST, "/api/v1/runs/estimate", key: free, body: #"{"task":"x"}"#)
            #expect(fits.status == 200)
        }
    }

    @Test("limits a super admin set are only tightened by the tenant's admins; zero limits are refused; super admins are never locked out")
    func layeredLimits() async throws {
        try await withTestServer(.sqlite, workers: 0) { server in
            let (tenantID, key) = try await server.tenant(role: .tenantAdmin, plan: "pro")
            let tenant = ["X-KimiSwarm-Tenant": tenantID]
            let set = try await server.request(
                .PUT, "/api/v1/quota", key: server.adminKey, body: #"{"monthly_cost_limit_usd":"0.01","max_concurrent_runs":1}"#, headers: tenant)
            #expect(set.status == 200)
            // The tenant admin's empty PUT clears only their own limits, not the super admin's.
            let cleared = try await server.request(.PUT, "/api/v1/quota", key: key, body: "{}")
            #expect(cleared.status == 200)
            #expect(cleared.json?["effective"]?["monthly_cost_limit_usd"]?.stringValue == "0.01")
            #expect(cleared.json?["effective"]?["max_concurrent_runs"]?.intValue == 1)
            let raised = try await server.request(.PUT, "/api/v1/quota", key: key, body: #"{"monthly_cost_limit_usd":"1000"}"#)
            #expect(raised.status == 403)
            #expect(try await server.store.quotas.effectiveQuota(tenantID: tenantID).monthlyCostLimitUSD == Decimal(string: "0.01"))
            let tighter = try await server.request(.PUT, "/api/v1/quota", key: key, body: #"{"monthly_cost_limit_usd":"0.005"}"#)
            #expect(tighter.status == 200 && tighter.json?["effective"]?["monthly_cost_limit_usd"]?.stringValue == "0.005")

            // Zero (or a negative) limit would lock the tenant out: refused, naming the field.
            for body in [#"{"requests_per_minute":0}"#, #"{"requests_per_minute":-1}"#, #"{"max_concurrent_runs":0}"#, #"{"requests_per_minute":1e9}"#] {
                let answer = try await server.request(.PUT, "/api/v1/quota", key: server.adminKey, body: body, headers: tenant)
                #expect(answer.status == 422, "\(body) → \(answer.status)")
            }
            let plan = try await server.request(.PUT, "/api/v1/plans/zero", key: server.adminKey, body: #"{"name":"Zero","limits":{"requests_per_minute":0}}"#)
            #expect(plan.status == 422 && plan.body.contains("limits.requests_per_minute"))

            // Even a limit of one request a minute (stored before limits were checked, say) never
            // holds the super admin, in that tenant or their own.
            try await server.store.quotas.setQuota(tenantID: tenantID, limits: QuotaLimits(requestsPerMinute: 1))
            try await server.store.quotas.setQuota(tenantID: FirstStart.defaultTenantID, limits: QuotaLimits(requestsPerMinute: 1))
            for _ in 0..<5 {
                #expect(try await server.request(.GET, "/api/v1/quota", key: server.adminKey, headers: tenant).status == 200)
                #expect(try await server.request(.GET, "/api/v1/tenants", key: server.adminKey).status == 200)
            }
            let undo = try await server.request(.PUT, "/api/v1/quota", key: server.adminKey, body: "{}", headers: tenant)
            #expect(undo.status == 200)
        }
    }

    @Test("adding another tenant's user invites them (no name, no id, no membership); they join only by accepting")
    func crossTenantMembersNeedConsent() async throws {
        try await withTestServer(.sqlite, workers: 0) { server in
            let store = server.store
            let (home, _) = try await server.tenant()
            let email = "person-\(UUID().uuidString.prefix(8).lowercased())@example.com"
            let person = try await store.directory.createUser(email: email, displayName: "Secret Name")
            try await store.members.setMember(tenantID: home, userID: person.id, role: .developer)
            try await store.directory.setPasswordHash(userID: person.id, hash: try PasswordHasher(costLog2: 10).hash("person password 1"))

            let (other, admin) = try await server.tenant(role: .tenantAdmin)
            let added = try await server.request(.POST, "/api/v1/members", key: admin, body: #"{"email":"\#(email)","role":"developer"}"#)
            #expect(added.status == 202)
            #expect(!added.body.contains("Secret Name") && !added.body.contains(person.id))
            #expect(added.json?["status"]?.stringValue == "invited")
            #expect(try await store.members.member(tenantID: other, userID: person.id) == nil)
            let members = try await server.request(.GET, "/api/v1/members", key: admin)
            #expect(!members.body.contains(person.id))
            let invitations = try await server.request(.GET, "/api/v1/invitations", key: admin)
            #expect(invitations.json?["data"]?.arrayValue?.count == 1)

            // The person accepts, signed in as themself; a key of theirs could not.
            let browser = WebBrowser(server)
            #expect(try await browser.signIn(email: email, password: "person password 1").status == 303)
            let settings = try await browser.get("/settings")
            let invitationID = try #require(added.json?["id"]?.stringValue)
            #expect(settings.body.contains("/settings/invitations/\(invitationID)/accept"))
            let personKey = try await store.apiKeys.createKey(tenantID: home, name: "person", role: .developer, userID: person.id).plaintext
            #expect(try await server.request(.POST, "/api/v1/me/invitations/\(invitationID)/accept", key: personKey).status == 403)
            #expect(try await store.members.member(tenantID: other, userID: person.id) == nil)
            #expect(try await browser.post("/settings/invitations/\(invitationID)/accept").status == 303)
            #expect(try await store.members.member(tenantID: other, userID: person.id)?.role == .developer)

            // A super admin adds at once.
            let stranger = try await store.directory.createUser(email: "s-\(UUID().uuidString.prefix(6).lowercased())@example.com", displayName: "S")
            let direct = try await server.request(
                .POST, "/api/v1/members", key: server.adminKey, body: #"{"email":"\#(stranger.email)","role":"viewer"}"#,
                headers: ["X-KimiSwarm-Tenant": other])
            #expect(direct.status == 200)
            #expect(try await store.members.member(tenantID: other, userID: stranger.id)?.role == .viewer)
        }
    }

    @Test("a template whose aliases expand to millions of nodes is refused at once, and the server answers on")
    func templateAliasBomb() async throws {
        try await withTestServer(.sqlite, workers: 0) { server in
            let (_, key) = try await server.tenant(role: .developer)
            var lines = [
                "id: laughs", "name: Laughs", "category: test", "purpose: Laughs.", "model_tier: fast", "system_prompt: You laugh.",
                "output_schema:", "  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
            ]
            for level in 1...9 { lines.append("  l\(level): &l\(level) [\(Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ", "))]") }
            let body = String(decoding: try JSONEncoder().encode(["definition": lines.joined(separator: "\n")]), as: UTF8.self)
            let started = ContinuousClock.now
            let answer = try await server.request(.POST, "/api/v1/templates", key: key, body: body)
            #expect(answer.status == 422 && answer.body.contains("expands to more than"), "\(answer.status) \(answer.body)")
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(try await server.request(.GET, "/health").status == 200)
        }
    }

    @Test("/metrics needs the metrics token or a super admin")
    func metricsNeedCredentials() async throws {
        let token = "metrics-token-\(UUID().uuidString)"
        try await withTestServer(.sqlite, workers: 0, configure: { $0.metricsToken = Secret(token) }) { server in
            let (_, key) = try await server.tenant(role: .tenantAdmin)
            _ = try await server.request(.GET, "/api/v1/runs", key: key)
            let anonymous = try await server.request(.GET, "/metrics")
            #expect(anonymous.status == 401 && !anonymous.body.contains("kimiswarm_tenant"))
            #expect(try await server.request(.GET, "/metrics", key: key).status == 403)
            #expect(try await server.request(.GET, "/metrics", key: token + "x").status == 401)
            let scraped = try await server.request(.GET, "/metrics", key: token)
            #expect(scraped.status == 200 && scraped.body.contains("kimiswarm_http_requests_total"))
        }
    }

    @Test("out-of-range numbers, non-JSON types and lax JSON are refused before anything is sent upstream")
    func inputRefused() async throws {
        try await withTestServer(.sqlite, workers: 0) { server in
            let (_, key) = try await server.tenant(role: .developer)
            let chat = #"{"model":"kimi-k2.6","messages":[{"role":"user","content":"hi"}]"#
            for (extra, param) in [
                (#","max_tokens":1000000000"#, "max_tokens"), (#","max_tokens":-5"#, "max_tokens"), (#","temperature":-3"#, "temperature"),
                (#","top_p":2"#, "top_p"), (#","max_completion_tokens":0"#, "max_completion_tokens"), (#","presence_penalty":1e308"#, "presence_penalty"),
            ] {
                let answer = try await server.request(.POST, "/v1/chat/completions", key: key, body: chat + extra + "}")
                #expect(answer.status == 400 && answer.json?["error"]?["param"]?.stringValue == param, "\(extra) → \(answer.status) \(answer.body)")
            }
            for (budgets, field) in [
                (#"{"max_tokens":1000000000}"#, "max_tokens"), (#"{"max_cost_usd":1e30}"#, "max_cost_usd"), (#"{"concurrency":1000000000}"#, "concurrency"),
                (#"{"max_cost_usd":"1e30"}"#, "max_cost_usd"), (#"{"max_tool_calls":-1}"#, "max_tool_calls"),
            ] {
                let answer = try await server.request(.POST, "/api/v1/runs", key: key, body: #"{"task":"x","budgets":\#(budgets)}"#)
                #expect([400, 422].contains(answer.status) && answer.body.contains("budgets.\(field)"), "\(budgets) → \(answer.status) \(answer.body)")
            }
            let run = #"{"task":"x"}"#
            #expect(try await server.request(.POST, "/api/v1/runs", key: key, body: run, headers: ["Content-Type": "application/jsonx"]).status == 415)
            #expect(try await server.request(.POST, "/api/v1/runs", key: key, body: run, headers: ["Content-Type": "text/plain"]).status == 415)
            #expect(try await server.request(.POST, "/api/v1/runs", key: key, body: run, headers: ["Content-Type": "application/json; charset=latin1"]).status == 415)
            var request = HTTPClientRequest(url: server.baseURL + "/api/v1/runs")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(key)")
            request.body = .bytes(.init(string: run))
            let untyped = try await testHTTPClient.execute(request, timeout: .seconds(10))
            #expect(untyped.status.code == 415)
            for body in [#"{"task":"x",}"#, #"{"task":"x","task":"y"}"#, #"{"task":"x","budgets":{"concurrency":2,}}"#, #"{"task":"x"} trailing"#, "{'task':'x'}"] {
                let answer = try await server.request(.POST, "/api/v1/runs", key: key, body: body)
                #expect(answer.status == 400, "\(body) → \(answer.status)")
            }
            let duplicate = try await server.request(.POST, "/v1/chat/completions", key: key, body: #"{"model":"a","model":"b","messages":[{"role":"user","content":"hi"}]}"#)
            #expect(duplicate.status == 400 && duplicate.body.contains("appears twice"))
            let embeddings = try await server.request(.POST, "/v1/embeddings", key: key, body: #"{"input":"hi"}"#)
            #expect(embeddings.status == 400 && embeddings.json?["error"]?["param"]?.stringValue == "model")
            #expect(server.provider.requestCount == 0)
        }
    }

    @Test("swarm serve keeps its response cache in its database, not in the folder it was started from")
    func cacheLivesInTheDataDirectory() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("serve-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        try await LoopbackProviderServer.withServer { provider in
            let key = "ks_" + String(repeating: "c", count: 40)
            let process = try SwarmProcess.start(
                ["serve", "--port", "0", "--data-dir", data.path, "--workers", "0"],
                environment: ["MOONSHOT_BASE_URL": provider.baseURL + "/v1", "MOONSHOT_API_KEY": "sk-test-cache", "KIMISWARM_ADMIN_KEY": key])
            let line = try await ServeCommandTests.waitForLine(process, containing: "listening on http://")
            let url = try #require(line.split(separator: " ").first { $0.hasPrefix("http://") }).description
            for _ in 0..<2 {
                var request = HTTPClientRequest(url: url + "/v1/chat/completions")
                request.method = .POST
                request.headers.add(name: "Authorization", value: "Bearer \(key)")
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(.init(string: #"{"model":"kimi-k2.6","messages":[{"role":"user","content":"cache me"}]}"#))
                let response = try await testHTTPClient.execute(request, timeout: .seconds(30))
                #expect(response.status == .ok)
                _ = try await response.body.collect(upTo: 1 << 20)
            }
            #expect(provider.requestCount == 1, "the second call is a cache hit")
            let folder = try FileManager.default.contentsOfDirectory(atPath: process.workingDirectory.path)
            #expect(!folder.contains(".kimiswarm"), "the working directory holds \(folder)")
            process.kill(SIGTERM)
            _ = await process.wait()
            let rows = try await SwarmStore.withStore(
                StoreConfiguration(location: .sqlite(path: data.appendingPathComponent("kimiswarm.sqlite").path)), logger: serverTestLogger
            ) { store in try await store.responseCache.countResponses() }
            #expect(rows == 1)
        }
    }

    @Test("a model only key-less providers offer is a 404 model_not_found, never a 503; /v1/models lists what can be called")
    func modelsWithoutCredentials() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("serve-models-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        try await LoopbackProviderServer.withServer { provider in
            let key = "ks_" + String(repeating: "m", count: 40)
            // As deployed: every built-in provider is configured, only Moonshot has a key.
            let process = try SwarmProcess.start(
                ["serve", "--port", "0", "--data-dir", data.path, "--workers", "0"],
                environment: ["MOONSHOT_BASE_URL": provider.baseURL + "/v1", "MOONSHOT_API_KEY": "sk-test-models", "KIMISWARM_ADMIN_KEY": key])
            defer { process.kill(SIGTERM) }
            let line = try await ServeCommandTests.waitForLine(process, containing: "listening on http://")
            let url = try #require(line.split(separator: " ").first { $0.hasPrefix("http://") }).description
            func call(_ method: HTTPMethod, _ path: String, _ body: String? = nil) async throws -> (Int, JSONValue?) {
                var request = HTTPClientRequest(url: url + path)
                request.method = method
                request.headers.add(name: "Authorization", value: "Bearer \(key)")
                if let body {
                    request.headers.add(name: "Content-Type", value: "application/json")
                    request.body = .bytes(.init(string: body))
                }
                let response = try await testHTTPClient.execute(request, timeout: .seconds(30))
                let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
                return (Int(response.status.code), try? JSONValue(parsing: text))
            }
            let (_, models) = try await call(.GET, "/v1/models")
            let ids = models?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            #expect(ids.contains("kimi-k2.6") && !ids.contains("gpt-5-mini") && !ids.contains("claude-sonnet-4-5"))
            let (chatStatus, chat) = try await call(.POST, "/v1/chat/completions", #"{"model":"gpt-5-mini","messages":[{"role":"user","content":"hi"}]}"#)
            #expect(chatStatus == 404 && chat?["error"]?["code"]?.stringValue == "model_not_found" && chat?["error"]?["param"]?.stringValue == "model")
            let (embedStatus, _) = try await call(.POST, "/v1/embeddings", #"{"model":"text-embedding-3-small","input":"hi"}"#)
            #expect(embedStatus == 404)
            let (okStatus, _) = try await call(.POST, "/v1/chat/completions", #"{"model":"kimi-k2.6","messages":[{"role":"user","content":"hi"}]}"#)
            #expect(okStatus == 200)
            #expect(provider.requestCount == 1)
            process.kill(SIGTERM)
            #expect(await process.wait().status == 0)
        }
    }

    @Test("runs use their tenant's cache scope: the same prompts from another tenant are not answered from the first one's cache")
    func runCacheIsolation() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("serve-cache-runs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        try await LoopbackProviderServer.withServer { provider in
            provider.setResponder(SwarmScript().respond)
            let admin = "ks_" + String(repeating: "t", count: 40)
            let process = try SwarmProcess.start(
                ["serve", "--port", "0", "--data-dir", data.path, "--workers", "1"],
                environment: ["MOONSHOT_BASE_URL": provider.baseURL + "/v1", "MOONSHOT_API_KEY": "sk-test-runs", "KIMISWARM_ADMIN_KEY": admin])
            defer { process.kill(SIGTERM) }
            let line = try await ServeCommandTests.waitForLine(process, containing: "listening on http://")
            let url = try #require(line.split(separator: " ").first { $0.hasPrefix("http://") }).description
            func call(_ method: HTTPMethod, _ path: String, key: String, _ body: String? = nil, tenant: String? = nil) async throws -> JSONValue? {
                var request = HTTPClientRequest(url: url + path)
                request.method = method
                request.headers.add(name: "Authorization", value: "Bearer \(key)")
                if let tenant { request.headers.add(name: "X-KimiSwarm-Tenant", value: tenant) }
                if let body {
                    request.headers.add(name: "Content-Type", value: "application/json")
                    request.body = .bytes(.init(string: body))
                }
                let response = try await testHTTPClient.execute(request, timeout: .seconds(30))
                return try? JSONValue(parsing: String(buffer: try await response.body.collect(upTo: 1 << 20)))
            }
            func tenantKey(_ id: String) async throws -> String {
                _ = try await call(.POST, "/api/v1/tenants", key: admin, #"{"name":"\#(id)","id":"\#(id)"}"#)
                return try #require(try await call(.POST, "/api/v1/keys", key: admin, #"{"name":"k","role":"developer"}"#, tenant: id)?["key"]?.stringValue)
            }
            func run(_ key: String) async throws -> Int {
                let before = provider.requestCount
                let id = try #require(try await call(.POST, "/api/v1/runs", key: key, #"{"task":"Design it","graph":\#(threeTaskGraph)}"#)?["id"]?.stringValue)
                let deadline = ContinuousClock.now + .seconds(60)
                while ContinuousClock.now < deadline {
                    if try await call(.GET, "/api/v1/runs/\(id)", key: key)?["status"]?.stringValue == "succeeded" { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                return provider.requestCount - before
            }
            let first = try await tenantKey("cache-a")
            let second = try await tenantKey("cache-b")
            let callsA = try await run(first)
            #expect(callsA >= 4)
            #expect(try await run(second) == callsA, "tenant B's run must call the model itself")
            #expect(try await run(first) == 0, "tenant A's same run is answered from its own cache")
            process.kill(SIGTERM)
            _ = await process.wait()
        }
    }
}
