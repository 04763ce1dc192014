import AsyncHTTPClient
import Crypto
import Foundation
@testable import KimiSwarmPlatform
import KimiSwarmServer
import KimiSwarmTesting
import Logging
import Synchronization
import Testing

@Suite("JWT OIDC key provider")
struct OIDCKeyProviderTests {
    let time = TestTime()

    func token(kid: String, key: P256.Signing.PrivateKey) throws -> String {
        let now = Int(time.now.timeIntervalSince1970)
        return try TokenForge.es256(
            header: ["alg": "ES256", "kid": kid],
            claims: ["sub": "user-1", "iss": "https://id.example.com", "aud": "kimiswarm-api", "exp": now + 3600],
            key: key)
    }

    /// Serves `document` at `/jwks.json` and 404 elsewhere.
    func serve(_ document: ServedDocument, on server: LoopbackProviderServer) {
        server.setResponder { request in
            guard request.path == "/jwks.json" else { return .json(status: 404, body: "{\"error\":\"secret detail\"}") }
            return .json(body: String(decoding: document.data, as: UTF8.self))
        }
    }

    func makeProvider(url: String) throws -> OIDCKeyProvider {
        let configuration = try OIDCConfiguration(
            issuer: "https://id.example.com", audience: "kimiswarm-api", jwksURL: try #require(URL(string: url)))
        return OIDCKeyProvider(
            configuration: configuration, httpClient: HTTPClient.shared,
            logger: Logger(label: "test.oidc"), now: time.clock)
    }

    @Test("keys are fetched once, cached, and refetched on rotation at most once per interval")
    func rotation() async throws {
        let document = ServedDocument(TokenForge.jwks([TokenForge.jwk(TestKeys.ec.publicKey, kid: "k1")]))
        try await LoopbackProviderServer.withServer { server in
            serve(document, on: server)
            let provider = try makeProvider(url: server.url("/jwks.json"))

            #expect(try await provider.verify(token(kid: "k1", key: TestKeys.ec)).subject == "user-1")
            #expect(try await provider.verify(token(kid: "k1", key: TestKeys.ec)).subject == "user-1")
            #expect(server.requestCount == 1)

            // The provider rotates in k2; a k2 token right after a fetch must wait for the interval.
            document.data = TokenForge.jwks([
                TokenForge.jwk(TestKeys.ec.publicKey, kid: "k1"), TokenForge.jwk(TestKeys.ec2.publicKey, kid: "k2"),
            ])
            let rotated = try token(kid: "k2", key: TestKeys.ec2)
            await #expect(throws: JWTError.unknownKey) { try await provider.verify(rotated) }
            #expect(server.requestCount == 1)

            time.advance(by: 31)
            #expect(try await provider.verify(rotated).subject == "user-1")
            #expect(server.requestCount == 2)

            // Made-up kids do not cause another fetch within the interval.
            await #expect(throws: JWTError.unknownKey) { try await provider.verify(token(kid: "nope", key: TestKeys.ec)) }
            #expect(server.requestCount == 2)

            // After the cache TTL the set is fetched again.
            time.advance(by: 10 * 60 + 1)
            #expect(try await provider.keySet().keys.count == 2)
            #expect(server.requestCount == 3)
        }
    }

    @Test("fetch failures do not leak the response body")
    func failures() async throws {
        try await LoopbackProviderServer.withServer { server in
            serve(ServedDocument(Data("garbage".utf8)), on: server)
            let missing = try makeProvider(url: server.url("/missing"))
            do {
                _ = try await missing.keySet()
                Issue.record("expected an error")
            } catch let error as JWTError {
                #expect(error == .keySetUnavailable)
                #expect(!error.message.contains("secret detail"))
            }
            let garbage = try makeProvider(url: server.url("/jwks.json"))
            await #expect(throws: JWTError.invalidKeySet) { try await garbage.keySet() }
        }
    }

    @Test("only http and https JWKS URLs are accepted")
    func urls() throws {
        for text in ["file:///etc/passwd", "ftp://id.example.com/jwks", "jwks.json"] {
            let url = try #require(URL(string: text))
            #expect(throws: JWTError.invalidConfiguration) {
                try OIDCConfiguration(issuer: "i", audience: nil, jwksURL: url)
            }
        }
    }
}

/// The JWKS document a test server serves; tests replace it to rotate keys.
final class ServedDocument: Sendable {
    private let storage: Mutex<Data>

    init(_ data: Data) {
        storage = Mutex(data)
    }

    var data: Data {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
