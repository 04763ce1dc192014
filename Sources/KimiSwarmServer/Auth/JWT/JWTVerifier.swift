public import KimiSwarmCore
public import Foundation

/// Verifies compact JWS tokens (JWTs) against a pinned key set and checks their claims.
///
/// The algorithm is taken from the selected key, never trusted from the token: `alg: none`,
/// unknown algorithms and any token whose `alg` differs from its key's are refused. The
/// signature is checked before the claims are read.
///
/// ```swift
/// let verifier = JWTVerifier(keys: JWTKeySet([.es256(publicKey, keyID: "k1")]),
///                            issuer: "https://id.example.com", audience: "kimiswarm-api")
/// let claims = try verifier.verify(token)
/// let tenant = claims.string("tenant")
/// ```
public struct JWTVerifier: Sendable {
    /// The keys tokens may be signed with.
    public var keys: JWTKeySet
    /// The required `iss`, or `nil` to accept any issuer.
    public var issuer: String?
    /// An audience `aud` must contain, or `nil` to accept any audience.
    public var audience: String?
    /// Allowed clock skew for `exp`, `nbf` and `iat`, in seconds.
    public var leeway: TimeInterval
    /// Whether tokens without `exp` are refused.
    public var requiresExpiration: Bool
    /// The current time; injectable for tests.
    public var now: @Sendable () -> Date

    /// A verifier for `keys`; every check is configurable, and defaults are strict.
    public init(
        keys: JWTKeySet,
        issuer: String? = nil,
        audience: String? = nil,
        leeway: TimeInterval = 60,
        requiresExpiration: Bool = true,
        now: @escaping @Sendable () -> Date = { SystemClock().date() }
    ) {
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.requiresExpiration = requiresExpiration
        self.now = now
    }

    /// Verifies `token` and returns its claims.
    ///
    /// - Throws: ``JWTError`` — `malformed`, `unsupportedAlgorithm`, `algorithmMismatch`,
    ///   `unknownKey`, `badSignature`, `expired`, `notYetValid`, `wrongIssuer`, `wrongAudience`
    ///   or `missingClaim(_:)`.
    public func verify(_ token: String) throws(JWTError) -> JWTClaims {
        let jws = try JWSCompact(token)
        let candidates = try keys.candidates(algorithm: jws.algorithm, keyID: jws.keyID)
        guard candidates.contains(where: { $0.isValidSignature(jws.signature, for: jws.signingInput) }) else {
            throw .badSignature
        }
        let claims: JWTClaims
        do {
            claims = try JWTClaims(raw: JWSCompact.jsonObject(jws.payload))
        } catch let error as JWTError {
            throw error
        } catch {
            throw .malformed
        }
        try check(claims)
        return claims
    }

    private func check(_ claims: JWTClaims) throws(JWTError) {
        let current = now()
        if let expiresAt = claims.expiresAt {
            guard current < expiresAt.addingTimeInterval(leeway) else { throw .expired }
        } else if requiresExpiration {
            throw .missingClaim("exp")
        }
        if let notBefore = claims.notBefore, notBefore > current.addingTimeInterval(leeway) {
            throw .notYetValid
        }
        if let issuedAt = claims.issuedAt, issuedAt > current.addingTimeInterval(leeway) {
            throw .notYetValid
        }
        if let issuer {
            guard let actual = claims.issuer else { throw .missingClaim("iss") }
            guard actual == issuer else { throw .wrongIssuer }
        }
        if let audience {
            guard claims.raw["aud"] != nil else { throw .missingClaim("aud") }
            guard claims.audience.contains(audience) else { throw .wrongAudience }
        }
    }
}
