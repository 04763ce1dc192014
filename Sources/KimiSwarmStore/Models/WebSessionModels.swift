public import Foundation

/// A signed-in dashboard session, kept server-side; the browser holds only its token.
public struct WebSession: Sendable, Hashable {
    /// The tenant the session acts in.
    public var tenantID: String
    /// The user who signed in with a password; `nil` for a session opened with an API key.
    public var userID: String?
    /// The API key the session was opened with; `nil` for a password sign-in.
    public var apiKeyID: String?
    /// The token forms and state-changing requests must echo.
    public var csrfToken: String
    public var createdAt: Date
    /// The session is refused from this time on.
    public var expiresAt: Date
    public var lastSeenAt: Date
}

/// A freshly created session: the only time its token is available.
public struct CreatedWebSession: Sendable {
    public var session: WebSession
    /// the cookie value, shown once; only its SHA-256 is stored
    public var token: String
}
