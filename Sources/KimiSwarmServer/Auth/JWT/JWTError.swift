/// Why a token, a key or a key set was refused.
///
/// The `message` is safe to show to clients: it never contains the token, claim values or key
/// material. Compare with the static members (`error == .expired`); new reasons may be added
/// without breaking callers.
public struct JWTError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case malformed
        case unsupportedAlgorithm
        case algorithmMismatch
        case unknownKey
        case badSignature
        case expired
        case notYetValid
        case wrongIssuer
        case wrongAudience
        case missingClaim(String)
        case weakKey
        case invalidKeySet
        case keySetUnavailable
        case invalidConfiguration
    }

    private let code: Code

    /// A short explanation that is safe to return to clients and to log.
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "JWTError: \(message)" }

    /// Two errors are equal when they have the same reason.
    public static func == (lhs: JWTError, rhs: JWTError) -> Bool { lhs.code == rhs.code }

    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// The token is not a well-formed compact JWS with JSON header and claims.
    public static let malformed = JWTError(.malformed, "The token is malformed.")
    /// The token's algorithm is `none` or not one this server accepts.
    public static let unsupportedAlgorithm = JWTError(.unsupportedAlgorithm, "The token's signing algorithm is not supported.")
    /// The token's algorithm differs from the algorithm pinned to the selected key.
    public static let algorithmMismatch = JWTError(.algorithmMismatch, "The token's signing algorithm does not match the key.")
    /// The token names a key id that is not in the key set, or no key fits the token.
    public static let unknownKey = JWTError(.unknownKey, "The token was signed with an unknown key.")
    /// The signature does not verify.
    public static let badSignature = JWTError(.badSignature, "The token's signature is invalid.")
    /// The token's `exp` has passed.
    public static let expired = JWTError(.expired, "The token has expired.")
    /// The token's `nbf` or `iat` lies in the future.
    public static let notYetValid = JWTError(.notYetValid, "The token is not valid yet.")
    /// The token's `iss` is not the expected issuer.
    public static let wrongIssuer = JWTError(.wrongIssuer, "The token was issued by an unexpected issuer.")
    /// The token's `aud` does not contain the expected audience.
    public static let wrongAudience = JWTError(.wrongAudience, "The token is not meant for this audience.")
    /// A required claim is absent.
    public static func missingClaim(_ name: String) -> JWTError {
        JWTError(.missingClaim(name), "The token lacks the required claim \"\(name)\".")
    }
    /// A signing secret or verification key is too weak (HMAC secret under 32 bytes, RSA under 2048 bits).
    public static let weakKey = JWTError(.weakKey, "The key is too weak.")
    /// A JWKS document could not be read.
    public static let invalidKeySet = JWTError(.invalidKeySet, "The key set is not a valid JWKS document.")
    /// The key set could not be fetched from the identity provider.
    public static let keySetUnavailable = JWTError(.keySetUnavailable, "The identity provider's key set is unavailable.")
    /// A configuration value is invalid (for example a JWKS URL that is not http or https).
    public static let invalidConfiguration = JWTError(.invalidConfiguration, "The token verification configuration is invalid.")
}
