public import KimiSwarmCore
public import Crypto
public import Foundation

/// Signs tokens with HS256, for the server's own session tokens.
///
/// The header is `{"alg":"HS256","typ":"JWT"}` plus `kid` when a key id is set. Tokens it
/// signs verify with ``verificationKey``.
public struct JWTSigner: Sendable {
    /// The shortest secret accepted, in bytes (the SHA-256 output size, RFC 7518 §3.2).
    public static let minimumSecretByteCount = 32

    /// The HS256 key, pinned, that verifies this signer's tokens.
    public let verificationKey: JWTVerificationKey

    /// The key id written into the header, if any.
    public let keyID: String?

    /// A signer with `secret`; throws ``JWTError/weakKey`` when it is shorter than 32 bytes.
    public init(secret: SymmetricKey, keyID: String? = nil) throws(JWTError) {
        guard secret.bitCount / 8 >= Self.minimumSecretByteCount else { throw .weakKey }
        self.verificationKey = .hs256(secret, keyID: keyID)
        self.keyID = keyID
    }

    /// A signer whose secret is `secret`'s bytes; throws ``JWTError/weakKey`` under 32 bytes.
    public init(secret: some ContiguousBytes, keyID: String? = nil) throws(JWTError) {
        try self.init(secret: SymmetricKey(data: secret), keyID: keyID)
    }

    /// Signs `claims` and returns the compact token `header.payload.signature`.
    ///
    /// Throws ``JWTError/malformed`` if the claims cannot be encoded as JSON (for example a
    /// non-finite number).
    public func sign(_ claims: [String: JSONValue]) throws(JWTError) -> String {
        var header: [String: JSONValue] = ["alg": .string(JWTAlgorithm.hs256.rawValue), "typ": "JWT"]
        if let keyID { header["kid"] = .string(keyID) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let headerJSON: Data
        let payloadJSON: Data
        do {
            headerJSON = try encoder.encode(header)
            payloadJSON = try encoder.encode(claims)
        } catch {
            throw .malformed
        }
        let signingInput = Base64URL.encode(headerJSON) + "." + Base64URL.encode(payloadJSON)
        guard case .hs256(let secret) = verificationKey.material else { throw .malformed }
        let mac = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: secret)
        return signingInput + "." + Base64URL.encode(Data(mac))
    }
}
