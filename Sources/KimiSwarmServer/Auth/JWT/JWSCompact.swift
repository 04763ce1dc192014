import KimiSwarmCore
import Foundation

/// A compact JWS split into its parts, header decoded, signature not yet checked.
struct JWSCompact {
    /// Tokens longer than this are refused before any decoding.
    static let maximumLength = 16 * 1024

    /// The header's `alg`, already restricted to supported algorithms.
    let algorithm: JWTAlgorithm
    /// The header's `kid`, if any.
    let keyID: String?
    /// The ASCII bytes of `header.payload`, which the signature covers.
    let signingInput: [UInt8]
    /// The decoded payload bytes (unverified until the signature is checked).
    let payload: [UInt8]
    /// The decoded signature bytes.
    let signature: [UInt8]

    /// Splits and decodes `token`.
    ///
    /// Throws ``JWTError/malformed`` for anything that is not three strict base64url parts with a
    /// JSON object header carrying a string `alg` (or that carries `crit`, which no extension here
    /// understands), and ``JWTError/unsupportedAlgorithm`` for `none` and unknown algorithms.
    init(_ token: String) throws(JWTError) {
        guard token.utf8.count <= Self.maximumLength else { throw .malformed }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(parts[0]) else { throw .malformed }
        let header = try Self.jsonObject(headerBytes)
        guard case .string(let alg)? = header["alg"] else { throw .malformed }
        guard let algorithm = JWTAlgorithm(rawValue: alg) else { throw .unsupportedAlgorithm }
        guard header["crit"] == nil, !parts[1].isEmpty, !parts[2].isEmpty,
            let payload = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2])
        else { throw .malformed }
        switch header["kid"] {
        case nil: keyID = nil
        case .string(let kid)?: keyID = kid
        default: throw .malformed
        }
        self.algorithm = algorithm
        self.signingInput = Array(parts[0].utf8) + [UInt8(ascii: ".")] + Array(parts[1].utf8)
        self.payload = payload
        self.signature = signature
    }

    /// The key id named by `token`'s header, or `nil` when it has none or cannot be read.
    static func keyID(of token: String) -> String? {
        (try? JWSCompact(token))?.keyID
    }

    /// Decodes `bytes` as a JSON object.
    static func jsonObject(_ bytes: [UInt8]) throws(JWTError) -> [String: JSONValue] {
        do {
            return try JSONDecoder().decode([String: JSONValue].self, from: Data(bytes))
        } catch {
            throw .malformed
        }
    }
}
