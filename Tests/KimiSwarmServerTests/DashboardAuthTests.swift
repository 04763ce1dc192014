import Foundation
import KimiSwarmCore
import KimiSwarmStore
import Testing

@testable import KimiSwarmPlatform
@testable import KimiSwarmServer

/// Signing in and out of the dashboard over real HTTP: passwords and API keys, the cookie's
/// flags, CSRF on every form, lock-out, and sessions ending with the password or the key.
@Suite("Dashboard sign-in")
struct DashboardAuthTests {
    static let password = "correct horse battery"

    @Test("password sign-in sets a HttpOnly SameSite=Strict session cookie; sign-out ends the session", arguments: TestDatabase.available)
    func passwordSignIn(_ database: TestDatabase) async throws {
        try await withTestServer(database, configure: { $0.adminPassword = Secret(Self.password) }) { server in
            let browser = WebBrowser(server)
            let first = try await browser.get("/")
            #expect(first.status == 303)
            #expect(first.location == "/login")
            let form = try await browser.get("/login")
            #expect(form.status == 200)
            #expect(form.body.contains("data-page=\"sign-in\""))
            #expect(form.header("content-security-policy")?.contains("script-src 'self'") == true)
            let loginCookie = try #require(form.setCookies.first { $0.hasPrefix("ks_login=") })
            #expect(loginCookie.contains("HttpOnly") && loginCookie.contains("SameSite=Strict"))

            let signedIn = try await browser.signIn(email: "ADMIN@localhost", password: Self.password)
            #expect(signedIn.status == 303)
            #expect(signedIn.location == "/")
            let session = try #require(signedIn.setCookies.first { $0.hasPrefix("ks_session=") })
            #expect(session.contains("HttpOnly") && session.contains("SameSite=Strict") && session.contains("Path=/") && session.contains("Max-Age="))
            #expect(!session.contains("Secure"), "plain HTTP on loopback: no Secure flag")
            let overview = try await browser.get("/")
            #expect(overview.status == 200)
            #expect(overview.body.contains("data-page=\"overview\""))
            #expect(overview.body.contains("admin@localhost"))

            // The session lives in the store; signing out deletes it.
            let token = try #require(await browser.cookies["ks_session"])
            #expect(try await server.store.webSessions.session(token: token) != nil)
            let out = try await browser.post("/logout")
            #expect(out.status == 303)
            #expect(out.location == "/login?signed_out=1")
            #expect(try await server.store.webSessions.session(token: token) == nil)
            #expect(try await browser.get("/").status == 303)
        }
    }

    @Test("behind TLS the cookie is Secure; a safe `next` is followed, another site's is not")
    func secureCookieAndNext() async throws {
        try await withTestServer(.sqlite) { server in
            let browser = WebBrowser(server)
            _ = try await browser.get("/login")
            let csrf = try #require(await browser.cookies["ks_login"])
            let page = try await browser.post(
                "/login", ["api_key": server.adminKey, "_csrf": csrf, "next": "/runs"], headers: ["X-Forwarded-Proto": "https"])
            #expect(page.location == "/runs")
            #expect(page.setCookies.first { $0.hasPrefix("ks_session=") }?.contains("Secure") == true)
            let other = WebBrowser(server)
            _ = try await other.get("/login")
            let token = try #require(await other.cookies["ks_login"])
            let evil = try await other.post("/login", ["api_key": server.adminKey, "_csrf": token, "next": "//evil.example/x"])
            #expect(evil.location == "/")
        }
    }

    @Test("wrong passwords lock the account after five tries; unknown e-mails get the same answer")
    func lockOut() async throws {
        try await withTestServer(.sqlite, configure: { $0.adminPassword = Secret(Self.password) }) { server in
            let browser = WebBrowser(server)
            let unknown = try await browser.signIn(email: "nobody@example.com", password: "whatever-it-is")
            #expect(unknown.status == 401)
            #expect(unknown.body.contains("The e-mail or password is wrong."))
            for attempt in 1...5 {
                let wrong = try await browser.signIn(email: "admin@localhost", password: "not the password \(attempt)")
                #expect(wrong.status == 401)
                if attempt == 5 { #expect(wrong.body.contains("locked for 15 minutes")) }
            }
            let locked = try await browser.signIn(email: "admin@localhost", password: Self.password)
            #expect(locked.status == 429)
            #expect(locked.body.contains("locked"))
            #expect(await browser.cookies["ks_session"] == nil)
        }
    }

    @Test("forms without the CSRF token, or posted from another site, are refused")
    func csrf() async throws {
        try await withTestServer(.sqlite) { server in
            let browser = WebBrowser(server)
            // The sign-in form's token must match its cookie.
            _ = try await browser.get("/login")
            let forged = try await browser.post("/login", ["api_key": server.adminKey, "_csrf": "made-up"])
            #expect(forged.status == 403)
            #expect(await browser.cookies["ks_session"] == nil)
            try await browser.signIn(key: server.adminKey)
            _ = try await browser.get("/runs/new")
            let noToken = try await browser.post("/runs/new", ["task": "x", "action": "start", "_csrf": ""])
            #expect(noToken.status == 403)
            #expect(noToken.body.contains("security token"))
            let crossSite = try await browser.post("/runs/new", ["task": "x", "action": "start"], headers: ["Origin": "https://evil.example"])
            #expect(crossSite.status == 403)
            let fetchSite = try await browser.post("/logout", [:], headers: ["Sec-Fetch-Site": "cross-site"])
            #expect(fetchSite.status == 403)
            #expect(try await server.store.runs.listRuns(tenantID: FirstStart.defaultTenantID).isEmpty)
        }
    }

    @Test("an API key session ends when the key is revoked; a bad key is refused")
    func keySessions() async throws {
        try await withTestServer(.sqlite) { server in
            let (tenantID, key) = try await server.tenant(role: .developer)
            let browser = WebBrowser(server)
            let bad = try await browser.signIn(key: "ks_not_a_real_key_at_all_0000000000")
            #expect(bad.status == 401)
            #expect(try await browser.signIn(key: key).status == 303)
            #expect(try await browser.get("/runs").status == 200)
            let keyID = try #require(try await server.store.apiKeys.keys(tenantID: tenantID).first?.id)
            try await server.store.apiKeys.revokeKey(tenantID: tenantID, keyID: keyID)
            let after = try await browser.get("/runs")
            #expect(after.status == 303)
            #expect(after.location?.hasPrefix("/login") == true)
        }
    }

    @Test("a super admin switches to any tenant; a member only to their own tenants")
    func tenantSwitch() async throws {
        try await withTestServer(.sqlite, workers: 0, configure: { $0.adminPassword = Secret(Self.password) }) { server in
            let (tenantID, key) = try await server.tenant(role: .tenantAdmin)
            _ = try await server.store.runs.submitTestRun(tenantID: tenantID, task: "a run of the other tenant")
            let admin = WebBrowser(server)
            try await admin.signIn(email: "admin@localhost", password: Self.password)
            let overview = try await admin.get("/")
            #expect(overview.body.contains("id=\"tenant-switch\"") && overview.body.contains("<option>\(tenantID)</option>"))
            #expect(!(try await admin.get("/runs")).body.contains("a run of the other tenant"))
            #expect(try await admin.post("/tenant", ["tenant": tenantID]).status == 303)
            let runs = try await admin.get("/runs")
            #expect(runs.body.contains("a run of the other tenant"))
            #expect(runs.body.contains("href=\"/admin\""), "still a super admin there")

            // A member of one tenant has no menu and cannot switch by posting.
            let member = WebBrowser(server)
            try await member.signIn(key: key)
            #expect(!(try await member.get("/")).body.contains("id=\"tenant-switch\""))
            #expect(try await member.post("/tenant", ["tenant": FirstStart.defaultTenantID]).status == 403)
        }
    }

    @Test("members added with a password sign in; changing it signs them out everywhere")
    func memberPasswords() async throws {
        try await withTestServer(.sqlite) { server in
            let admin = WebBrowser(server)
            try await admin.signIn(key: server.adminKey)
            _ = try await admin.get("/settings")
            let short = try await admin.post("/settings/members", ["email": "dev@example.com", "role": "developer", "password": "short"])
            #expect(short.status == 422)
            #expect(short.body.contains("shorter than 10 characters"))
            let added = try await admin.post("/settings/members", ["email": "dev@example.com", "role": "developer", "password": "first password 1"])
            #expect(added.status == 303)

            let dev = WebBrowser(server)
            #expect(try await dev.signIn(email: "dev@example.com", password: "first password 1").status == 303)
            let settings = try await dev.get("/settings")
            #expect(settings.body.contains("Change password"))
            #expect(!settings.body.contains("id=\"keys\""), "a developer does not see the tenant's keys")
            let wrong = try await dev.post(
                "/settings/password", ["current_password": "nope nope nope", "new_password": "second password 2", "confirm_password": "second password 2"])
            #expect(wrong.status == 403)
            let changed = try await dev.post(
                "/settings/password",
                ["current_password": "first password 1", "new_password": "second password 2", "confirm_password": "second password 2"])
            #expect(changed.status == 303)
            #expect(try await dev.get("/").status == 303, "the old session ended")
            #expect(try await dev.signIn(email: "dev@example.com", password: "first password 1").status == 401)
            #expect(try await dev.signIn(email: "dev@example.com", password: "second password 2").status == 303)
        }
    }
}
