import Crypto
import Foundation
@testable import KimiSwarmPlatform
import KimiSwarmServer
import Testing
import _CryptoExtras

@Suite("JWT JWKS parsing")
struct JWKSTests {
    let time = TestTime()

    func claims() -> [String: Any] {
        let now = Int(time.now.timeIntervalSince1970)
        return ["sub": "user-1", "exp": now + 300]
    }

    @Test("RSA and EC keys are read with their kid and pinned algorithm")
    func rsaAndEC() throws {
        let document = TokenForge.jwks([
            try TokenForge.jwk(TestKeys.rsa.publicKey, kid: "rsa-1", extra: ["use": "sig"]),
            TokenForge.jwk(TestKeys.ec.publicKey, kid: "ec-1", extra: ["alg": "ES256"]),
        ])
        let keys = try JWTKeySet(jwksJSON: document)
        #expect(keys.keys.map(\.keyID) == ["rsa-1", "ec-1"])
        #expect(keys.keys.map(\.algorithm) == [.rs256, .es256])

        let verifier = JWTVerifier(keys: keys, now: time.clock)
        let rsaToken = try TokenForge.rs256(header: ["alg": "RS256", "kid": "rsa-1"], claims: claims(), key: TestKeys.rsa)
        #expect(try verifier.verify(rsaToken).subject == "user-1")
        let ecToken = try TokenForge.es256(header: ["alg": "ES256", "kid": "ec-1"], claims: claims(), key: TestKeys.ec)
        #expect(try verifier.verify(ecToken).subject == "user-1")
        let confused = TokenForge.hs256(
            header: ["alg": "HS256", "kid": "rsa-1"], claims: claims(),
            key: SymmetricKey(data: TestKeys.rsa.publicKey.derRepresentation))
        #expect(throws: JWTError.algorithmMismatch) { try verifier.verify(confused) }
    }

    @Test("encryption keys, other algorithms, curves and types, and weak RSA keys are skipped")
    func skipped() throws {
        let weakModulus = [UInt8](repeating: 0xC7, count: 128)
        let document = TokenForge.jwks([
            try TokenForge.jwk(TestKeys.rsa.publicKey, kid: "enc", extra: ["use": "enc"]),
            try TokenForge.jwk(TestKeys.rsa.publicKey, kid: "ps256", extra: ["alg": "PS256"]),
            TokenForge.jwk(TestKeys.ec.publicKey, kid: "p384", extra: ["crv": "P-384"]),
            ["kty": "oct", "kid": "oct", "k": "c2VjcmV0"],
            ["kty": "RSA", "kid": "weak", "n": TokenForge.base64URL(weakModulus), "e": "AQAB"],
            ["kty": "EC", "crv": "P-256", "kid": "bad-ec", "x": "AAAA", "y": "AAAA"],
            ["kty": "RSA", "kid": "padded", "n": "AQAB==", "e": "AQAB"],
            try TokenForge.jwk(TestKeys.rsa.publicKey, kid: "good"),
        ])
        let keys = try JWTKeySet(jwksJSON: document)
        #expect(keys.keys.map(\.keyID) == ["good"])
    }

    @Test("a document that is not a JWKS is refused")
    func invalidDocument() {
        #expect(throws: JWTError.invalidKeySet) { try JWTKeySet(jwksJSON: Data("{\"k\": []}".utf8)) }
        #expect(throws: JWTError.invalidKeySet) { try JWTKeySet(jwksJSON: Data("not json".utf8)) }
        #expect(throws: Never.self) { try JWTKeySet(jwksJSON: Data("{\"keys\": []}".utf8)) }
    }
}
