public import Crypto
public import _CryptoExtras

/// A key that verifies token signatures, pinned to exactly one algorithm.
///
/// The algorithm comes from the key, never from the token: a token whose header names another
/// algorithm is refused, so an RSA public key can never be used as an HMAC secret.
public struct JWTVerificationKey: Sendable {
    /// The key material; its case fixes the algorithm.
    ///
    /// `@unchecked` because swift-crypto 3.12 does not mark `SymmetricKey` `Sendable`, although
    /// it is an immutable value whose storage is never mutated after creation; the RSA and P-256
    /// keys are `Sendable`.
    public enum Material: @unchecked Sendable {
        /// An HMAC-SHA-256 secret.
        case hs256(SymmetricKey)
        /// An RSA public key for RS256.
        case rs256(_RSA.Signing.PublicKey)
        /// A P-256 public key for ES256.
        case es256(P256.Signing.PublicKey)
    }

    /// The key id (`kid`) tokens use to select this key, if any.
    public var keyID: String?
    /// The key material.
    public var material: Material

    /// The algorithm pinned to this key.
    public var algorithm: JWTAlgorithm {
        switch material {
        case .hs256: .hs256
        case .rs256: .rs256
        case .es256: .es256
        }
    }

    /// A key with the given material and optional key id.
    public init(_ material: Material, keyID: String? = nil) {
        self.material = material
        self.keyID = keyID
    }

    /// An HS256 key.
    public static func hs256(_ key: SymmetricKey, keyID: String? = nil) -> JWTVerificationKey {
        JWTVerificationKey(.hs256(key), keyID: keyID)
    }

    /// An RS256 key.
    public static func rs256(_ key: _RSA.Signing.PublicKey, keyID: String? = nil) -> JWTVerificationKey {
        JWTVerificationKey(.rs256(key), keyID: keyID)
    }

    /// An ES256 key.
    public static func es256(_ key: P256.Signing.PublicKey, keyID: String? = nil) -> JWTVerificationKey {
        JWTVerificationKey(.es256(key), keyID: keyID)
    }

    /// Whether `signature` is valid for `signingInput` under this key's algorithm.
    func isValidSignature(_ signature: [UInt8], for signingInput: [UInt8]) -> Bool {
        switch material {
        case .hs256(let key):
            return HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: key)
        case .rs256(let key):
            guard signature.count == (key.keySizeInBits + 7) / 8 else { return false }
            let rsaSignature = _RSA.Signing.RSASignature(rawRepresentation: signature)
            return key.isValidSignature(rsaSignature, for: SHA256.hash(data: signingInput), padding: .insecurePKCS1v1_5)
        case .es256(let key):
            guard signature.count == 64,
                let ecdsaSignature = try? P256.Signing.ECDSASignature(rawRepresentation: signature)
            else { return false }
            return key.isValidSignature(ecdsaSignature, for: SHA256.hash(data: signingInput))
        }
    }
}
