public import Foundation
import Crypto
import _CryptoExtras

extension JWTKeySet {
    /// The smallest RSA modulus accepted from a JWKS document, in bits.
    public static let minimumRSAKeyBits = 2048

    /// Reads a JWKS document (RFC 7517): `{"keys": [...]}`.
    ///
    /// Accepted keys: `kty: RSA` (`n`, `e`; RS256) of at least 2048 bits, and `kty: EC` with
    /// `crv: P-256` (`x`, `y`; ES256). A missing `alg` defaults to the key type's algorithm.
    /// Keys whose `use` is not `sig`, whose `alg` is another algorithm, whose type or curve is
    /// unsupported, or that are malformed or too weak are skipped, so one odd key does not hide
    /// the others. Throws ``JWTError/invalidKeySet`` when the document itself is not a JWKS.
    public init(jwksJSON: Data) throws {
        let document: JWKSDocument
        do {
            document = try JSONDecoder().decode(JWKSDocument.self, from: jwksJSON)
        } catch {
            throw JWTError.invalidKeySet
        }
        self.init(document.keys.compactMap { $0.verificationKey() })
    }
}

/// The JSON shape of a JWKS document.
private struct JWKSDocument: Decodable {
    var keys: [JSONWebKey]
}

/// One JSON Web Key; fields not used here are ignored.
private struct JSONWebKey: Decodable {
    var kty: String?
    var use: String?
    var alg: String?
    var kid: String?
    var crv: String?
    var n: String?
    var e: String?
    var x: String?
    var y: String?

    private enum CodingKeys: String, CodingKey {
        case kty, use, alg, kid, crv, n, e, x, y
    }

    /// Decodes leniently: a member of an unexpected type makes the key unusable, not the document.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func text(_ key: CodingKeys) -> String? { try? container.decodeIfPresent(String.self, forKey: key) }
        kty = text(.kty)
        use = text(.use)
        alg = text(.alg)
        kid = text(.kid)
        crv = text(.crv)
        n = text(.n)
        e = text(.e)
        x = text(.x)
        y = text(.y)
    }

    func verificationKey() -> JWTVerificationKey? {
        if let use, use != "sig" { return nil }
        switch kty {
        case "RSA":
            guard alg == nil || alg == JWTAlgorithm.rs256.rawValue else { return nil }
            return rsaKey()
        case "EC":
            guard crv == "P-256", alg == nil || alg == JWTAlgorithm.es256.rawValue else { return nil }
            return ecKey()
        default:
            return nil
        }
    }

    private func rsaKey() -> JWTVerificationKey? {
        guard let n, let e,
            let modulus = Base64URL.decode(n).map(Self.strippingLeadingZeros),
            let exponent = Base64URL.decode(e).map(Self.strippingLeadingZeros),
            !modulus.isEmpty, !exponent.isEmpty,
            modulus.count * 8 >= JWTKeySet.minimumRSAKeyBits,
            let key = try? _RSA.Signing.PublicKey(n: modulus, e: exponent),
            key.keySizeInBits >= JWTKeySet.minimumRSAKeyBits
        else { return nil }
        return .rs256(key, keyID: kid)
    }

    private func ecKey() -> JWTVerificationKey? {
        guard let x, let y,
            let xBytes = Base64URL.decode(x), let yBytes = Base64URL.decode(y),
            xBytes.count == 32, yBytes.count == 32,
            let key = try? P256.Signing.PublicKey(x963Representation: [0x04] + xBytes + yBytes)
        else { return nil }
        return .es256(key, keyID: kid)
    }

    private static func strippingLeadingZeros(_ bytes: [UInt8]) -> [UInt8] {
        Array(bytes.drop { $0 == 0 })
    }
}
