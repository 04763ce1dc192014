public import Foundation

/// Where an external identity provider's tokens come from and what they must say.
public struct OIDCConfiguration: Sendable, Hashable {
    /// The required `iss` claim, for example `https://id.example.com/`.
    public var issuer: String
    /// The audience `aud` must contain, or `nil` to accept any audience.
    public var audience: String?
    /// The provider's JWKS document (`jwks_uri`); always http or https.
    public let jwksURL: URL
    /// Allowed clock skew for `exp`, `nbf` and `iat`, in seconds.
    public var leeway: TimeInterval
    /// How long a fetched key set is used before it is fetched again, in seconds.
    public var cacheTTL: TimeInterval
    /// The shortest interval between two fetches caused by an unknown `kid`, in seconds.
    public var minimumRefetchInterval: TimeInterval

    /// A configuration; throws ``JWTError/invalidConfiguration`` unless `jwksURL` is an
    /// http or https URL with a host.
    public init(
        issuer: String,
        audience: String?,
        jwksURL: URL,
        leeway: TimeInterval = 60,
        cacheTTL: TimeInterval = 10 * 60,
        minimumRefetchInterval: TimeInterval = 30
    ) throws(JWTError) {
        guard let scheme = jwksURL.scheme?.lowercased(), scheme == "https" || scheme == "http",
            let host = jwksURL.host, !host.isEmpty
        else { throw .invalidConfiguration }
        self.issuer = issuer
        self.audience = audience
        self.jwksURL = jwksURL
        self.leeway = leeway
        self.cacheTTL = cacheTTL
        self.minimumRefetchInterval = minimumRefetchInterval
    }
}
