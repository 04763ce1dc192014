import Crypto
import Foundation
@testable import KimiSwarmPlatform
import KimiSwarmServer
import Synchronization
import _CryptoExtras

/// A settable time source for token tests.
final class TestTime: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    var clock: @Sendable () -> Date { { self.now } }
}

/// Builds compact JWS tokens by hand, so tests can forge every part.
enum TokenForge {
    static func base64URL(_ bytes: some DataProtocol) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func json(_ object: [String: Any]) -> Data {
        // Test inputs are always valid JSON objects.
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }

    /// `header.payload` for the given JSON objects.
    static func signingInput(header: [String: Any], claims: [String: Any]) -> String {
        base64URL(json(header)) + "." + base64URL(json(claims))
    }

    static func hs256(header: [String: Any], claims: [String: Any], key: SymmetricKey) -> String {
        let input = signingInput(header: header, claims: claims)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: key)
        return input + "." + base64URL(Data(mac))
    }

    static func rs256(header: [String: Any], claims: [String: Any], key: _RSA.Signing.PrivateKey) throws -> String {
        let input = signingInput(header: header, claims: claims)
        let signature = try key.signature(for: SHA256.hash(data: Data(input.utf8)), padding: .insecurePKCS1v1_5)
        return input + "." + base64URL(signature.rawRepresentation)
    }

    static func es256(header: [String: Any], claims: [String: Any], key: P256.Signing.PrivateKey) throws -> String {
        let input = signingInput(header: header, claims: claims)
        let signature = try key.signature(for: SHA256.hash(data: Data(input.utf8)))
        return input + "." + base64URL(signature.rawRepresentation)
    }

    /// A JWKS entry for an RSA public key.
    static func jwk(_ key: _RSA.Signing.PublicKey, kid: String, extra: [String: Any] = [:]) throws -> [String: Any] {
        let primitives = try key.getKeyPrimitives()
        var entry: [String: Any] = [
            "kty": "RSA", "kid": kid,
            "n": base64URL(primitives.modulus), "e": base64URL(primitives.publicExponent),
        ]
        entry.merge(extra) { _, new in new }
        return entry
    }

    /// A JWKS entry for a P-256 public key.
    static func jwk(_ key: P256.Signing.PublicKey, kid: String, extra: [String: Any] = [:]) -> [String: Any] {
        let x963 = key.x963Representation
        var entry: [String: Any] = [
            "kty": "EC", "crv": "P-256", "kid": kid,
            "x": base64URL(x963.dropFirst().prefix(32)), "y": base64URL(x963.dropFirst(33)),
        ]
        entry.merge(extra) { _, new in new }
        return entry
    }

    static func jwks(_ keys: [[String: Any]]) -> Data {
        json(["keys": keys])
    }
}

/// Shared test keys: RSA key generation is slow, so each test process makes one.
enum TestKeys {
    static let rsa: _RSA.Signing.PrivateKey = {
        // 2048-bit generation cannot fail with a supported size.
        try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    }()
    // P-256 private keys and symmetric keys are not `Sendable` in swift-crypto 3.12, so their
    // bytes are shared and the keys rebuilt on use.
    private static let ecBytes = P256.Signing.PrivateKey().rawRepresentation
    private static let ec2Bytes = P256.Signing.PrivateKey().rawRepresentation
    private static let hmacBytes = (0..<32).map { _ in UInt8.random(in: .min ... .max) }

    static var ec: P256.Signing.PrivateKey { try! P256.Signing.PrivateKey(rawRepresentation: ecBytes) }
    static var ec2: P256.Signing.PrivateKey { try! P256.Signing.PrivateKey(rawRepresentation: ec2Bytes) }
    static var hmac: SymmetricKey { SymmetricKey(data: hmacBytes) }
}
