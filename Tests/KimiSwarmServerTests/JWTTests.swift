import Crypto
import Foundation
import KimiSwarmCore
@testable import KimiSwarmPlatform
import KimiSwarmServer
import Testing
import _CryptoExtras

@Suite("JWT verification")
struct JWTTests {
    let time = TestTime()

    var now: Int { Int(time.now.timeIntervalSince1970) }

    func claims(_ extra: [String: Any] = [:]) -> [String: Any] {
        var claims: [String: Any] = [
            "sub": "user-1", "iss": "https://id.example.com", "aud": "kimiswarm-api",
            "iat": now - 10, "exp": now + 300, "tenant": "acme", "role": "developer",
        ]
        claims.merge(extra) { _, new in new }
        return claims
    }

    func verifier(_ keys: [JWTVerificationKey], leeway: TimeInterval = 60) -> JWTVerifier {
        JWTVerifier(
            keys: JWTKeySet(keys), issuer: "https://id.example.com", audience: "kimiswarm-api",
            leeway: leeway, now: time.clock)
    }

    func expect(_ error: JWTError, _ body: () throws -> Void) {
        #expect(throws: error) { try body() }
    }

    @Test("HS256 session round trip")
    func sessionRoundTrip() throws {
        let sessions = try SessionTokens(secret: TestKeys.hmac, now: time.clock)
        let token = try sessions.issue(userID: "u1", tenantID: "t1", role: "tenant_admin", email: "a@example.com")
        let session = try sessions.verify(token)
        #expect(session == SessionClaims(
            userID: "u1", tenantID: "t1", role: "tenant_admin", email: "a@example.com",
            expiresAt: Date(timeIntervalSince1970: TimeInterval(now + 12 * 3600))))
        time.advance(by: 12 * 3600 + 61)
        expect(.expired) { _ = try sessions.verify(token) }
    }

    @Test("session tokens need a 32-byte secret and refuse other secrets' tokens")
    func sessionSecret() throws {
        #expect(throws: JWTError.weakKey) { try SessionTokens(secret: SymmetricKey(size: .init(bitCount: 248))) }
        #expect(throws: JWTError.weakKey) { try JWTSigner(secret: Data(repeating: 1, count: 31)) }
        let token = try SessionTokens(secret: TestKeys.hmac, now: time.clock).issue(userID: "u", tenantID: "t", role: "viewer")
        let other = try SessionTokens(secret: SymmetricKey(size: .bits256), now: time.clock)
        expect(.badSignature) { _ = try other.verify(token) }
    }

    @Test("custom claims are readable")
    func customClaims() throws {
        let token = TokenForge.hs256(header: ["alg": "HS256"], claims: claims(["email": "x@y.z", "admin": true, "aud": ["a", "kimiswarm-api"]]), key: TestKeys.hmac)
        let result = try verifier([.hs256(TestKeys.hmac)]).verify(token)
        #expect(result.subject == "user-1")
        #expect(result.issuer == "https://id.example.com")
        #expect(result.audience == ["a", "kimiswarm-api"])
        #expect(result.string("tenant") == "acme")
        #expect(result["admin"] == .bool(true))
        #expect(result.expiresAt == Date(timeIntervalSince1970: TimeInterval(now + 300)))
    }

    @Test("time claims are checked with leeway")
    func timeClaims() {
        let key = TestKeys.hmac
        let check = verifier([.hs256(key)])
        func token(_ extra: [String: Any]) -> String { TokenForge.hs256(header: ["alg": "HS256"], claims: claims(extra), key: key) }
        expect(.expired) { _ = try check.verify(token(["exp": now - 61])) }
        #expect(throws: Never.self) { _ = try check.verify(token(["exp": now - 30])) }
        expect(.notYetValid) { _ = try check.verify(token(["nbf": now + 120])) }
        #expect(throws: Never.self) { _ = try check.verify(token(["nbf": now + 30])) }
        expect(.notYetValid) { _ = try check.verify(token(["iat": now + 120])) }
        var noExp = claims()
        noExp["exp"] = nil
        expect(.missingClaim("exp")) { _ = try check.verify(TokenForge.hs256(header: ["alg": "HS256"], claims: noExp, key: key)) }
        expect(.malformed) { _ = try check.verify(token(["exp": "tomorrow"])) }
    }

    @Test("issuer and audience are checked")
    func issuerAndAudience() {
        let key = TestKeys.hmac
        let check = verifier([.hs256(key)])
        func token(_ extra: [String: Any]) -> String { TokenForge.hs256(header: ["alg": "HS256"], claims: claims(extra), key: key) }
        expect(.wrongIssuer) { _ = try check.verify(token(["iss": "https://evil.example.com"])) }
        expect(.wrongAudience) { _ = try check.verify(token(["aud": "other-api"])) }
        expect(.wrongAudience) { _ = try check.verify(token(["aud": ["a", "b"]])) }
        var noAud = claims()
        noAud["aud"] = nil
        expect(.missingClaim("aud")) { _ = try check.verify(TokenForge.hs256(header: ["alg": "HS256"], claims: noAud, key: key)) }
    }

    @Test("alg none and unknown algorithms are refused")
    func algNone() {
        let check = verifier([.hs256(TestKeys.hmac)])
        let input = TokenForge.signingInput(header: ["alg": "none"], claims: claims())
        expect(.unsupportedAlgorithm) { _ = try check.verify(input + ".") }
        expect(.unsupportedAlgorithm) { _ = try check.verify(input + ".AAAA") }
        let hs512 = TokenForge.hs256(header: ["alg": "HS512"], claims: claims(), key: TestKeys.hmac)
        expect(.unsupportedAlgorithm) { _ = try check.verify(hs512) }
    }

    @Test("an RS256 public key cannot be used as an HMAC secret")
    func algorithmConfusion() throws {
        let publicKey = TestKeys.rsa.publicKey
        let check = verifier([.rs256(publicKey, keyID: "rsa-1")])
        let secret = SymmetricKey(data: publicKey.derRepresentation)
        let withKid = TokenForge.hs256(header: ["alg": "HS256", "kid": "rsa-1"], claims: claims(), key: secret)
        expect(.algorithmMismatch) { _ = try check.verify(withKid) }
        let withoutKid = TokenForge.hs256(header: ["alg": "HS256"], claims: claims(), key: secret)
        expect(.algorithmMismatch) { _ = try check.verify(withoutKid) }
        let pem = SymmetricKey(data: Data(publicKey.pemRepresentation.utf8))
        expect(.algorithmMismatch) { _ = try check.verify(TokenForge.hs256(header: ["alg": "HS256"], claims: claims(), key: pem)) }
    }

    @Test("RS256 tokens verify; tampered ones do not")
    func rs256() throws {
        let check = verifier([.rs256(TestKeys.rsa.publicKey, keyID: "rsa-1")])
        let token = try TokenForge.rs256(header: ["alg": "RS256", "kid": "rsa-1"], claims: claims(), key: TestKeys.rsa)
        #expect(try check.verify(token).subject == "user-1")
        let parts = token.split(separator: ".")
        let forgedPayload = TokenForge.base64URL(TokenForge.json(claims(["role": "super_admin"])))
        expect(.badSignature) { _ = try check.verify("\(parts[0]).\(forgedPayload).\(parts[2])") }
        let otherKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let foreign = try TokenForge.rs256(header: ["alg": "RS256", "kid": "rsa-1"], claims: claims(), key: otherKey)
        expect(.badSignature) { _ = try check.verify(foreign) }
    }

    @Test("ES256 tokens verify; tampered ones do not")
    func es256() throws {
        let check = verifier([.es256(TestKeys.ec.publicKey, keyID: "ec-1"), .es256(TestKeys.ec2.publicKey, keyID: "ec-2")])
        let token = try TokenForge.es256(header: ["alg": "ES256", "kid": "ec-2"], claims: claims(), key: TestKeys.ec2)
        #expect(try check.verify(token).string("role") == "developer")
        let noKid = try TokenForge.es256(header: ["alg": "ES256"], claims: claims(), key: TestKeys.ec2)
        #expect(try check.verify(noKid).subject == "user-1")
        let parts = token.split(separator: ".")
        let forgedPayload = TokenForge.base64URL(TokenForge.json(claims(["tenant": "other"])))
        expect(.badSignature) { _ = try check.verify("\(parts[0]).\(forgedPayload).\(parts[2])") }
        let wrongKid = try TokenForge.es256(header: ["alg": "ES256", "kid": "ec-1"], claims: claims(), key: TestKeys.ec2)
        expect(.badSignature) { _ = try check.verify(wrongKid) }
    }

    @Test("unknown kids and malformed tokens are refused")
    func unknownKidAndMalformed() throws {
        let check = verifier([.es256(TestKeys.ec.publicKey, keyID: "ec-1")])
        let token = try TokenForge.es256(header: ["alg": "ES256", "kid": "ec-9"], claims: claims(), key: TestKeys.ec)
        expect(.unknownKey) { _ = try check.verify(token) }
        let good = try TokenForge.es256(header: ["alg": "ES256", "kid": "ec-1"], claims: claims(), key: TestKeys.ec)
        expect(.malformed) { _ = try check.verify(good + "=") }
        expect(.malformed) { _ = try check.verify(good.replacingOccurrences(of: ".", with: "..")) }
        expect(.malformed) { _ = try check.verify("a.b") }
        expect(.malformed) { _ = try check.verify("") }
        let crit = try TokenForge.es256(header: ["alg": "ES256", "kid": "ec-1", "crit": ["exp"]], claims: claims(), key: TestKeys.ec)
        expect(.malformed) { _ = try check.verify(crit) }
    }

    @Test("error messages never echo the token")
    func messages() {
        let token = TokenForge.hs256(header: ["alg": "HS256"], claims: claims(["exp": now - 1000]), key: TestKeys.hmac)
        do {
            _ = try verifier([.hs256(TestKeys.hmac)]).verify(token)
            Issue.record("expected an error")
        } catch {
            #expect(error == .expired)
            #expect(!error.message.contains("user-1"))
            #expect(!"\(error)".contains(token))
        }
    }
}
