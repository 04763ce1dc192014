import KimiSwarmCore
import Foundation
import HTTPTypes
import Hummingbird
import KimiSwarmStore
import KimiSwarmPlatform
import Logging

/// The dashboard's signed-in session: the cookie's value and its stored row.
struct WebSignIn: Sendable {
    var token: String
    var session: WebSession
    /// Who is signed in, for the page header (an e-mail or the API key's name).
    var who: String
    /// The tenants a signed-in user may switch to (their memberships; every tenant for a
    /// super admin); empty for API key sessions, which stay in the key's tenant.
    var tenants: [String] = []
}

/// Lets a dashboard page through only with a live session cookie. It turns the session into
/// the same ``Principal`` the API uses (a user's current membership, or the API key's role),
/// refuses cross-site form posts, and slides the session's expiry.
struct WebAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let store: SwarmStore
    let memberships: MembershipCache
    let tenants: TenantStatusCache
    let policy: WebSessionPolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = request.cookies[WebSessionPolicy.cookieName]?.value, token.utf8.count <= 128,
            let session = try await store.webSessions.session(token: token)
        else { return signInFirst(request) }
        guard let (principal, who, choices) = try await resolve(session) else {
            try await store.webSessions.delete(token: token)
            return signInFirst(request)
        }
        if !principal.isSuperAdmin { try await tenants.ensureActive(principal.homeTenantID) }
        if request.method != .get && request.method != .head { try Self.refuseCrossSite(request) }
        if policy.clock.date().timeIntervalSince(session.lastSeenAt) > 60 {
            try await store.webSessions.touch(token: token, ttl: policy.idleTimeout, maxAge: policy.maxAge)
        }
        var context = context
        context.principal = principal
        context.web = WebSignIn(token: token, session: session, who: who, tenants: choices)
        context.logger[metadataKey: "tenant_id"] = .string(principal.tenantID)
        return try await next(request, context)
    }

    /// The session's caller, or `nil` when the user left the tenant or the key stopped working.
    /// A super admin may act in a tenant they are no member of (like `X-KimiSwarm-Tenant`).
    private func resolve(_ session: WebSession) async throws -> (Principal, String, [String])? {
        if let keyID = session.apiKeyID {
            guard let key = try await store.apiKeys.key(tenantID: session.tenantID, keyID: keyID), key.isUsable(at: policy.clock.date()) else { return nil }
            return (Principal(tenantID: key.tenantID, role: key.role, userID: key.userID, apiKeyID: key.id, method: .dashboard), "key \(key.name)", [])
        }
        guard let userID = session.userID, let user = try await store.directory.user(id: userID) else { return nil }
        let own = try await store.directory.tenantsOfUser(userID: userID).map(\.tenantID)
        let superAdmin = try await own.asyncContains { try await memberships.role(tenantID: $0, userID: userID) == .superAdmin }
        if let role = try await memberships.role(tenantID: session.tenantID, userID: userID) {
            let tenants = superAdmin ? try await store.directory.listTenants().map(\.id) : own
            return (Principal(tenantID: session.tenantID, role: role, userID: userID, method: .dashboard, isPersonal: true), user.email, tenants)
        }
        guard superAdmin, let home = own.first, try await store.directory.tenant(tenantID: session.tenantID) != nil else { return nil }
        var principal = Principal(tenantID: home, role: .superAdmin, userID: userID, method: .dashboard, isPersonal: true)
        principal.tenantID = session.tenantID
        return (principal, user.email, try await store.directory.listTenants().map(\.id))
    }

    /// Pages redirect to the sign-in form (and come back afterwards); anything else is a 401.
    private func signInFirst(_ request: Request) -> Response {
        guard request.method == .get || request.method == .head else {
            return Page.redirect("/login?expired=1")
        }
        let path = request.uri.path
        let next = path == "/" ? "" : "?next=" + (path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "/-_"))) ?? "")
        return Page.redirect("/login" + next)
    }

    /// A form post must come from this site: browsers send `Origin` (or `Sec-Fetch-Site`) on
    /// posts, and the session cookie is SameSite=Strict besides; the CSRF token is checked
    /// when the form is read (``WebForm``).
    static func refuseCrossSite(_ request: Request) throws {
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], site != "same-origin", site != "none" {
            throw APIError.forbidden("cross-site form posts are refused", hint: "Use the dashboard's own pages.")
        }
        if let origin = request.headers[HTTPField.Name("Origin")!], origin != "null" {
            // Behind a reverse proxy the browser's host may arrive as X-Forwarded-Host.
            let hosts = [request.headers[HTTPField.Name("Host")!] ?? request.head.authority, request.headers[HTTPField.Name("X-Forwarded-Host")!]]
            guard let url = URL(string: origin), let originHost = url.host else {
                throw APIError.forbidden("the Origin header is not valid")
            }
            let originAuthority = originHost + (url.port.map { ":\($0)" } ?? "")
            guard hosts.contains(originAuthority) else {
                throw APIError.forbidden("cross-site form posts are refused", hint: "Use the dashboard's own pages.")
            }
        }
    }
}

/// How long dashboard sessions live.
struct WebSessionPolicy: Sendable {
    static let cookieName = "ks_session"
    static let loginCookieName = "ks_login"
    /// A session unused this long ends.
    var idleTimeout: Duration = .seconds(12 * 3600)
    /// No session lives longer than this, used or not.
    var maxAge: Duration = .seconds(7 * 86_400)
    /// Failed password sign-ins in a row that lock an account, and for how long.
    var lockThreshold = 5
    var lockDuration: Duration = .seconds(15 * 60)
    /// Failed sign-ins from one address within ``throttleWindow`` before it must wait.
    var addressFailureLimit = 20
    var throttleWindow: Duration = .seconds(15 * 60)
    /// scrypt's cost (log2 N) for new password hashes.
    var passwordCost = 17
    /// What sessions, locks and throttles read the time from.
    var clock: any SwarmClock = SystemClock()

    /// `Secure` when the request came over TLS (directly or through a proxy that says so).
    static func isSecure(_ request: Request) -> Bool {
        if request.uri.scheme == .https { return true }
        if let proto = request.headers[HTTPField.Name("X-Forwarded-Proto")!], proto.lowercased() == "https" { return true }
        return (request.headers[HTTPField.Name("Forwarded")!] ?? "").lowercased().contains("proto=https")
    }

    static func cookie(_ name: String, value: String, maxAge: Int, request: Request) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: isSecure(request), httpOnly: true, sameSite: .strict)
    }
}

extension Sequence {
    /// Whether any element satisfies an async predicate.
    func asyncContains(where predicate: (Element) async throws -> Bool) async rethrows -> Bool {
        for element in self where try await predicate(element) { return true }
        return false
    }
}
