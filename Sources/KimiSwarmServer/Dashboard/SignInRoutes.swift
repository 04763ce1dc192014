import KimiSwarmCore
import Foundation
import Hummingbird
import KimiSwarmStore
import KimiSwarmPlatform
import NIOPosix
import Synchronization

/// Signing in and out of the dashboard: e-mail and password (scrypt, lock-out after repeated
/// failures) or an API key; a session cookie (HttpOnly, SameSite=Strict, Secure behind TLS);
/// the sign-in form has its own CSRF token in a short-lived cookie (double submit).
struct SignInRoutes {
    let store: SwarmStore
    let apiKeys: APIKeyAuthenticator
    let policy: WebSessionPolicy
    let throttle = LoginThrottle()
    /// A hash of a random password at the policy's cost (made at the first sign-in), verified
    /// against when the user is unknown, so unknown e-mails cost as much time as wrong passwords.
    private let decoyHash = DecoyHash()

    init(store: SwarmStore, apiKeys: APIKeyAuthenticator, policy: WebSessionPolicy) {
        self.store = store
        self.apiKeys = apiKeys
        self.policy = policy
    }

    private func decoy(_ hasher: PasswordHasher) throws -> String {
        if let made = decoyHash.value.withLock({ $0 }) { return made }
        let made = try hasher.hash(WebForm.randomToken())
        decoyHash.value.withLock { $0 = made }
        return made
    }

    func register(public group: RouterGroup<AppRequestContext>, signedIn: RouterGroup<AppRequestContext>) {
        group.get("login") { request, _ in try await form(request, error: nil, status: .ok) }
        group.post("login") { request, context in try await signIn(request, context) }
        signedIn.post("tenant") { request, context in
            let form = try await WebForm.read(request, context: context)
            guard let web = context.web, let tenant = form.text("tenant"), web.tenants.contains(tenant) else {
                throw APIError.forbidden("you may not act in that tenant", hint: "Pick one of the tenants in the menu.")
            }
            try await store.webSessions.setTenant(token: web.token, tenantID: tenant)
            return Page.redirect("/")
        }
        signedIn.post("logout") { request, context in
            _ = try await WebForm.read(request, context: context)
            if let web = context.web { try await store.webSessions.delete(token: web.token) }
            var response = Page.redirect("/login?signed_out=1")
            response.setCookie(WebSessionPolicy.cookie(WebSessionPolicy.cookieName, value: "", maxAge: 0, request: request))
            return response
        }
    }

    private func form(_ request: Request, error: String?, status: HTTPResponse.Status, email: String = "") async throws -> Response {
        if error == nil, let token = request.cookies[WebSessionPolicy.cookieName]?.value, token.utf8.count <= 128,
            try await store.webSessions.session(token: token) != nil
        {
            return Page.redirect("/")
        }
        let csrf = WebForm.randomToken()
        let query = request.uri.queryParameters
        var notice: HTML = ""
        if let error {
            notice = "<p class=\"error\" role=\"alert\">\(error)</p>"
        } else if query["signed_out"] != nil {
            notice = "<p class=\"notice\" role=\"status\">You are signed out.</p>"
        } else if query["expired"] != nil {
            notice = "<p class=\"notice\" role=\"status\">Your session ended; sign in again.</p>"
        }
        let next = Self.safeNext(query["next"].map(String.init) ?? "") ?? ""
        let page = Layout.document(
            "Sign in", page: "sign-in",
            """
            <main class="signin">
              <div class="card signin-card">
                <h1><img src="/static/logo.svg" alt="" width="28" height="28"> KimiSwarm</h1>
                <p class="muted">Sign in to watch your swarms work.</p>
                \(notice)
                <form id="login-password" method="post" action="/login">
                  <input type="hidden" name="_csrf" value="\(csrf)">
                  <input type="hidden" name="next" value="\(next)">
                  <label>E-mail <input type="email" name="email" autocomplete="username" required maxlength="320" value="\(email)"></label>
                  <label>Password <input type="password" name="password" autocomplete="current-password" required maxlength="1024"></label>
                  <button type="submit" class="primary">Sign in</button>
                </form>
                <details class="alt-signin">
                  <summary>Sign in with an API key</summary>
                  <form id="login-key" method="post" action="/login">
                    <input type="hidden" name="_csrf" value="\(csrf)">
                    <input type="hidden" name="next" value="\(next)">
                    <label>API key <input type="password" name="api_key" autocomplete="off" required maxlength="512" placeholder="ks_…"></label>
                    <button type="submit">Sign in with key</button>
                  </form>
                </details>
              </div>
            </main>
            """)
        var response = Page.response(page, status: status)
        response.setCookie(WebSessionPolicy.cookie(WebSessionPolicy.loginCookieName, value: csrf, maxAge: 1800, request: request))
        return response
    }

    private func signIn(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        try WebAuthMiddleware.refuseCrossSite(request)
        let form = try await WebForm.parse(request, context: context)
        guard let sent = form["_csrf"], let cookie = request.cookies[WebSessionPolicy.loginCookieName]?.value,
            WebForm.tokensMatch(sent, cookie)
        else {
            return try await self.form(request, error: "The sign-in form expired. Please try again.", status: .forbidden)
        }
        let address = context.remoteAddress ?? "unknown"
        if let wait = throttle.retryAfter(address: address, limit: policy.addressFailureLimit, window: policy.throttleWindow, now: policy.clock.now()) {
            return try await self.form(
                request, error: "Too many failed sign-ins from your address. Try again in \(Self.minutes(wait)).", status: .tooManyRequests)
        }
        let next = Self.safeNext(form["next"] ?? "") ?? "/"
        if let key = form.text("api_key") {
            guard let principal = try? await apiKeys.authenticate(bearer: key), let keyID = principal.apiKeyID else {
                throttle.recordFailure(address: address, now: policy.clock.now())
                return try await self.form(request, error: "That API key is not valid, or it was revoked or expired.", status: .unauthorized)
            }
            return try await startSession(request, tenantID: principal.homeTenantID, userID: principal.userID, apiKeyID: keyID, next: next)
        }
        let email = form.text("email") ?? ""
        let password = form["password"] ?? ""
        guard !email.isEmpty, !password.isEmpty, password.utf8.count <= 1024 else {
            return try await self.form(request, error: "Enter your e-mail and password.", status: .unprocessableContent, email: email)
        }
        let hasher = PasswordHasher(costLog2: policy.passwordCost)
        let credentials = try await store.directory.credentials(email: email)
        let now = policy.clock.date()
        if let lockedUntil = credentials?.lockedUntil, lockedUntil > now {
            return try await self.form(
                request, error: "This account is locked after repeated failed sign-ins. Try again in \(Self.minutes(lockedUntil.timeIntervalSince(now))).",
                status: .tooManyRequests, email: email)
        }
        // Unknown users and users without a password cost the same time as a wrong password.
        let known = credentials?.passwordHash
        let valid = try await NIOThreadPool.singleton.runIfActive { hasher.verify(password, against: try known ?? decoy(hasher)) }
        guard valid, let credentials, credentials.passwordHash != nil else {
            throttle.recordFailure(address: address, now: policy.clock.now())
            var message = "The e-mail or password is wrong."
            if let credentials,
                let lockedUntil = try await store.directory.recordFailedLogin(
                    userID: credentials.user.id, threshold: policy.lockThreshold, lockFor: policy.lockDuration)
            {
                message = "Too many failed sign-ins: the account is locked for \(Self.minutes(lockedUntil.timeIntervalSince(now)))."
            }
            return try await self.form(request, error: message, status: .unauthorized, email: email)
        }
        try await store.directory.recordSuccessfulLogin(userID: credentials.user.id)
        if let current = credentials.passwordHash, hasher.needsRehash(current) {
            let upgraded = try await NIOThreadPool.singleton.runIfActive { try hasher.hash(password) }
            try await store.directory.setPasswordHash(userID: credentials.user.id, hash: upgraded)
        }
        let memberships = try await store.directory.tenantsOfUser(userID: credentials.user.id)
        guard let home = memberships.first(where: { $0.tenantID == FirstStart.defaultTenantID }) ?? memberships.first else {
            return try await self.form(request, error: "Your account belongs to no tenant yet; ask an admin to add you.", status: .forbidden, email: email)
        }
        return try await startSession(request, tenantID: home.tenantID, userID: credentials.user.id, apiKeyID: nil, next: next)
    }

    private func startSession(_ request: Request, tenantID: String, userID: String?, apiKeyID: String?, next: String) async throws -> Response {
        let created = try await store.webSessions.create(tenantID: tenantID, userID: userID, apiKeyID: apiKeyID, ttl: policy.idleTimeout)
        var response = Page.redirect(next)
        response.setCookie(
            WebSessionPolicy.cookie(WebSessionPolicy.cookieName, value: created.token, maxAge: Int(policy.maxAge.components.seconds), request: request))
        response.setCookie(WebSessionPolicy.cookie(WebSessionPolicy.loginCookieName, value: "", maxAge: 0, request: request))
        return response
    }

    /// A local path to return to after signing in (never another site).
    static func safeNext(_ next: String) -> String? {
        guard next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), !next.hasPrefix("/login"), next.utf8.count < 512 else { return nil }
        return next
    }

    static func minutes(_ seconds: Double) -> String {
        let minutes = max(1, Int((seconds / 60).rounded()))
        return minutes == 1 ? "1 minute" : "\(minutes) minutes"
    }
}

/// Failed sign-ins per client address, in memory: an address over the limit waits until its
/// oldest failure in the window has aged out.
final class LoginThrottle: Sendable {
    private let failures = Mutex<[String: [Duration]]>([:])

    /// Records a failure at `now` (a ``SwarmClock`` reading).
    func recordFailure(address: String, now: Duration) {
        failures.withLock { table in
            if table.count > 50_000 { table.removeAll() }
            table[address, default: []].append(now)
        }
    }

    /// Seconds to wait, or `nil` when the address may try.
    func retryAfter(address: String, limit: Int, window: Duration, now: Duration) -> Double? {
        failures.withLock { table -> Double? in
            let recent = (table[address] ?? []).filter { now - $0 < window }
            table[address] = recent.isEmpty ? nil : recent
            guard recent.count >= limit, let oldest = recent.first else { return nil }
            let wait = window - (now - oldest)
            return Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18
        }
    }
}

/// The sign-in form's decoy hash, made once.
final class DecoyHash: Sendable {
    let value = Mutex<String?>(nil)
}
