public import KimiSwarmCore
public import Crypto
public import Foundation

/// The identity carried by a verified session token.
public struct SessionClaims: Sendable, Hashable {
    /// The user (`sub`).
    public var userID: String
    /// The user's tenant (`tenant`).
    public var tenantID: String
    /// The user's role (`role`), for example `developer`.
    public var role: String
    /// The user's e-mail address (`email`), if it was issued with one.
    public var email: String?
    /// When the session ends (`exp`).
    public var expiresAt: Date
    /// The API key the session was made from (`key`), or `nil` for a session of the person
    /// themself. A key's session acts with the key's role and ends with the key.
    public var apiKeyID: String?

    /// Session claims with the given values.
    public init(userID: String, tenantID: String, role: String, email: String? = nil, expiresAt: Date, apiKeyID: String? = nil) {
        self.userID = userID
        self.tenantID = tenantID
        self.role = role
        self.email = email
        self.expiresAt = expiresAt
        self.apiKeyID = apiKeyID
    }
}

/// Issues and verifies the server's own HS256 session tokens.
///
/// Tokens carry `iss` ``issuer``, `aud` ``audience``, `sub` (user), `tenant`, `role`,
/// optionally `email`, `iat`, `nbf`, `exp` and a random `jti`. Verification pins the HS256 key,
/// so tokens signed with any other algorithm or key are refused.
public struct SessionTokens: Sendable {
    /// The issuer of session tokens.
    public static let issuer = "kimiswarm"
    /// The audience of session tokens.
    public static let audience = "kimiswarm-api"
    /// The default session lifetime: 12 hours.
    public static let defaultTTL: TimeInterval = 12 * 60 * 60

    private let signer: JWTSigner
    private let verifier: JWTVerifier

    /// How long issued sessions last, in seconds.
    public let ttl: TimeInterval

    /// Session tokens signed with `secret` (at least 32 bytes, else ``JWTError/weakKey``).
    ///
    /// - Parameters:
    ///   - keyID: written into each token's header as `kid`.
    ///   - ttl: session lifetime in seconds.
    ///   - leeway: allowed clock skew when verifying, in seconds.
    ///   - now: the current time; injectable for tests.
    public init(
        secret: SymmetricKey,
        keyID: String = "session",
        ttl: TimeInterval = SessionTokens.defaultTTL,
        leeway: TimeInterval = 60,
        now: @escaping @Sendable () -> Date = { SystemClock().date() }
    ) throws(JWTError) {
        signer = try JWTSigner(secret: secret, keyID: keyID)
        verifier = JWTVerifier(
            keys: JWTKeySet([signer.verificationKey]),
            issuer: Self.issuer,
            audience: Self.audience,
            leeway: leeway,
            now: now
        )
        self.ttl = ttl
    }

    /// Issues a session token for a user of a tenant; `apiKeyID` binds it to the API key it was
    /// made from, and `notAfter` ends it earlier than the usual lifetime (a key's expiry).
    public func issue(
        userID: String, tenantID: String, role: String, email: String? = nil, apiKeyID: String? = nil, notAfter: Date? = nil
    ) throws(JWTError) -> String {
        let issuedAt = Int64(verifier.now().timeIntervalSince1970.rounded(.down))
        var expires = issuedAt + Int64(ttl.rounded(.down))
        if let notAfter { expires = min(expires, Int64(notAfter.timeIntervalSince1970.rounded(.down))) }
        var claims: [String: JSONValue] = [
            "iss": .string(Self.issuer),
            "aud": .string(Self.audience),
            "sub": .string(userID),
            "tenant": .string(tenantID),
            "role": .string(role),
            "iat": .int(Int(issuedAt)),
            "nbf": .int(Int(issuedAt)),
            "exp": .int(Int(expires)),
            "jti": .string(UUID().uuidString),
        ]
        if let email { claims["email"] = .string(email) }
        if let apiKeyID { claims["key"] = .string(apiKeyID) }
        return try signer.sign(claims)
    }

    /// Verifies a session token and returns who it is for.
    ///
    /// - Throws: any ``JWTError`` of ``JWTVerifier/verify(_:)``, or `missingClaim` when `sub`,
    ///   `tenant` or `role` is absent.
    public func verify(_ token: String) throws(JWTError) -> SessionClaims {
        let claims = try verifier.verify(token)
        guard let userID = claims.subject else { throw .missingClaim("sub") }
        guard let tenantID = claims.string("tenant") else { throw .missingClaim("tenant") }
        guard let role = claims.string("role") else { throw .missingClaim("role") }
        guard let expiresAt = claims.expiresAt else { throw .missingClaim("exp") }
        return SessionClaims(
            userID: userID,
            tenantID: tenantID,
            role: role,
            email: claims.string("email"),
            expiresAt: expiresAt,
            apiKeyID: claims.string("key")
        )
    }
}
