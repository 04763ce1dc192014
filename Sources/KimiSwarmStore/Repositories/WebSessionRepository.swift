import Foundation

/// The dashboard's server-side sessions. The browser's cookie holds a random token; only its
/// SHA-256 (``APIKeyRepository/hash(_:)``) is stored, so a leaked table opens no session.
/// A session is live while its `expires_at` is in the future (by the store's clock).
///
/// The token names the session and with it the tenant, so the methods taking a token are on
/// the authentication list of the tenant-safety test.
public struct WebSessionRepository: Sendable {
    let context: RepositoryContext

    public init(context: RepositoryContext) { self.context = context }

    /// Opens a session acting in `tenantID`, signed in as `userID` (password) or with
    /// `apiKeyID` (API key), live for `ttl`. The token is 32 random bytes in base64url
    /// without padding, the CSRF token another 32.
    public func create(tenantID: String, userID: String?, apiKeyID: String?, ttl: Duration) async throws -> CreatedWebSession {
        let now = context.now
        let token = Self.randomToken()
        let session = WebSession(
            tenantID: tenantID, userID: userID, apiKeyID: apiKeyID, csrfToken: Self.randomToken(), createdAt: now,
            expiresAt: Self.date(now, plus: ttl), lastSeenAt: now)
        try await context.database.query(
            """
            INSERT INTO web_sessions(id_hash, tenant_id, user_id, api_key_id, csrf_token, created_at, expires_at, last_seen_at)
            VALUES (\(APIKeyRepository.hash(token)), \(tenantID), \(userID), \(apiKeyID), \(session.csrfToken),
                \(session.createdAt), \(session.expiresAt), \(session.lastSeenAt))
            """)
        return CreatedWebSession(session: session, token: token)
    }

    /// The live session for a cookie value, or nil (unknown or expired). Does not extend it.
    public func session(token: String) async throws -> WebSession? {
        try await context.database.first(
            "SELECT * FROM web_sessions WHERE id_hash = \(APIKeyRepository.hash(token)) AND expires_at > \(context.now)"
        ).map(Self.session)
    }

    /// Marks use; slides the expiry to now + ttl but never beyond createdAt + maxAge.
    ///
    /// An unknown or expired session stays as it is (it is not revived).
    public func touch(token: String, ttl: Duration, maxAge: Duration) async throws {
        let now = context.now
        let slid = Self.date(now, plus: ttl)
        let maxAgeMilliseconds = Int64((maxAge.seconds * 1000).rounded())
        try await context.database.query(
            """
            UPDATE web_sessions SET last_seen_at = \(now),
                expires_at = CASE WHEN \(slid) < created_at + \(maxAgeMilliseconds) THEN \(slid)
                    ELSE created_at + \(maxAgeMilliseconds) END
            WHERE id_hash = \(APIKeyRepository.hash(token)) AND expires_at > \(now)
            """)
    }

    /// Deletes the session (sign-out); nothing happens for an unknown token.
    public func delete(token: String) async throws {
        try await context.database.query("DELETE FROM web_sessions WHERE id_hash = \(APIKeyRepository.hash(token))")
    }

    /// Deletes every session of a user (sign out everywhere).
    public func deleteAll(userID: String) async throws {
        try await context.database.query("DELETE FROM web_sessions WHERE user_id = \(userID)")
    }

    /// Switches the tenant a session acts in (a user who is a member of several tenants).
    ///
    /// The caller checks the membership; throws ``StoreError`` (not found) when the session
    /// is unknown or expired.
    public func setTenant(token: String, tenantID: String) async throws {
        let rows = try await context.database.query(
            """
            UPDATE web_sessions SET tenant_id = \(tenantID)
            WHERE id_hash = \(APIKeyRepository.hash(token)) AND expires_at > \(context.now) RETURNING id_hash
            """)
        if rows.isEmpty { throw StoreError.notFound("web session") }
    }

    /// Deletes expired sessions (system maintenance); returns how many.
    public func purgeExpired() async throws -> Int {
        try await context.database.query("DELETE FROM web_sessions WHERE expires_at <= \(context.now) RETURNING id_hash").count
    }

    /// `date + duration` at the store's precision (whole milliseconds).
    static func date(_ date: Date, plus duration: Duration) -> Date {
        Date(millisecondsSince1970: date.addingTimeInterval(duration.seconds).millisecondsSince1970)
    }

    /// 32 random bytes, base64url without padding (43 characters).
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func session(_ row: SQLRow) throws -> WebSession {
        WebSession(
            tenantID: try row.string("tenant_id"), userID: try row.optionalString("user_id"),
            apiKeyID: try row.optionalString("api_key_id"), csrfToken: try row.string("csrf_token"),
            createdAt: try row.date("created_at"), expiresAt: try row.date("expires_at"), lastSeenAt: try row.date("last_seen_at"))
    }
}
