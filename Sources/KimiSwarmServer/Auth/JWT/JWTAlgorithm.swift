/// The JWS algorithms this server signs or verifies with.
///
/// `none` and every other algorithm are deliberately absent.
public enum JWTAlgorithm: String, Sendable, Hashable, CaseIterable {
    /// HMAC with SHA-256.
    case hs256 = "HS256"
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    case rs256 = "RS256"
    /// ECDSA on P-256 with SHA-256 (raw `r || s` signatures).
    case es256 = "ES256"
}
