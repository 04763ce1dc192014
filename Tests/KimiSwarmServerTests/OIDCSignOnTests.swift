import Crypto
import Foundation
import KimiSwarmCore
@testable import KimiSwarmPlatform
import KimiSwarmServer
import KimiSwarmTesting
import NIOHTTP1
import Testing

@Suite("Single sign-on with an OIDC issuer")
struct OIDCSignOnTests {
    static let issuer = "https://id.example.com"

    static func token(email: String, audience: String = "kimiswarm-api", kid: String = "k1", expiresIn: Int = 3600) throws -> String {
        let now = Int(Date().timeIntervalSince1970)
        return try TokenForge.es256(
            header: ["alg": "ES256", "kid": kid],
            claims: ["sub": "u-1", "email": email, "iss": issuer, "aud": audience, "exp": now + expiresIn, "iat": now],
            key: TestKeys.ec)
    }

    @Test("an ES256 token of the issuer signs a known user in; a wrong audience, an expired token, a forged HS256 token and an unknown user are 401")
    func signOn() async throws {
        try await LoopbackProviderServer.withServer { identity in
            let jwks = String(decoding: TokenForge.jwks([TokenForge.jwk(TestKeys.ec.publicKey, kid: "k1")]), as: UTF8.self)
            identity.setResponder { request in request.path == "/jwks.json" ? .json(body: jwks) : .json(status: 404, body: "{}") }
            let jwksURL = try #require(URL(string: identity.baseURL + "/jwks.json"))
            let oidc = try OIDCConfiguration(issuer: Self.issuer, audience: "kimiswarm-api", jwksURL: jwksURL)
            try await withTestServer(.sqlite, configure: { $0.oidc = oidc }) { server in
                let token = try Self.token(email: FirstStart.adminEmail)
                let me = try await server.request(.GET, "/api/v1/me", key: token)
                #expect(me.status == 200, "\(me.body)")
                #expect(me.body.contains("super_admin"))
                #expect(try await server.request(.GET, "/api/v1/runs", key: token).status == 200)

                let wrongAudience = try await server.request(.GET, "/api/v1/me", key: try Self.token(email: FirstStart.adminEmail, audience: "other"))
                #expect(wrongAudience.status == 401)
                let expired = try await server.request(.GET, "/api/v1/me", key: try Self.token(email: FirstStart.adminEmail, expiresIn: -600))
                #expect(expired.status == 401)
                let forged = TokenForge.hs256(
                    header: ["alg": "HS256", "kid": "k1"],
                    claims: ["email": FirstStart.adminEmail, "iss": Self.issuer, "aud": "kimiswarm-api", "exp": Int(Date().timeIntervalSince1970) + 600],
                    key: SymmetricKey(data: Data(jwks.utf8)))
                #expect(try await server.request(.GET, "/api/v1/me", key: forged).status == 401)
                let stranger = try await server.request(.GET, "/api/v1/me", key: try Self.token(email: "nobody@example.com"))
                #expect(stranger.status == 401)
                #expect(!stranger.body.contains(token))
            }
        }
    }
}
