import Foundation
import HTTPTypes
import Hummingbird
import KimiSwarmPlatform
import KimiSwarmStore

/// Proves who sent a request from its bearer token: the one parser for the REST API, the
/// gateway (through ``AuthMiddleware``) and the run WebSocket. A suspended tenant's
/// credentials stop working (a super admin's home tenant excepted), and a super admin may act
/// in another tenant with `X-KimiSwarm-Tenant: <id>`.
struct BearerAuthentication: Sendable {
    let authenticator: any Authenticator
    let store: SwarmStore
    let tenants: TenantStatusCache

    static let tenantHeader = HTTPField.Name("X-KimiSwarm-Tenant")!
    /// The longest token accepted (in UTF-8 bytes).
    static let maxTokenBytes = 8192

    /// The caller of `request`. With `queryToken`, a request without an `Authorization`
    /// header may send its token as `?access_token=` (browsers cannot set headers on a
    /// WebSocket); the header wins when both are sent.
    func principal(of request: Request, queryToken: Bool = false) async throws -> Principal {
        let token: String
        if let header = request.headers[.authorization] {
            token = try Self.token(authorization: header)
        } else if queryToken, let query = request.uri.queryParameters["access_token"] {
            token = try Self.checked(String(query))
        } else {
            throw APIError.unauthenticated("no credentials were sent")
        }
        guard var principal = try await authenticator.authenticate(bearer: token) else {
            throw APIError.unauthenticated("the bearer token is not an API key or a token this server accepts")
        }
        if !principal.isSuperAdmin { try await tenants.ensureActive(principal.homeTenantID) }
        if let other = request.headers[Self.tenantHeader], other != principal.tenantID {
            guard principal.isSuperAdmin else {
                throw APIError.forbidden("only a super admin may act in another tenant", hint: "Drop the X-KimiSwarm-Tenant header.")
            }
            guard try await store.directory.tenant(tenantID: other) != nil else { throw APIError.notFound("tenant") }
            principal.tenantID = other
        }
        return principal
    }

    /// The token of an `Authorization: Bearer <token>` header.
    static func token(authorization header: String) throws -> String {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthenticated("the Authorization header must be `Bearer <token>`")
        }
        return try checked(parts[1].trimmingCharacters(in: .whitespaces))
    }

    private static func checked(_ token: String) throws -> String {
        guard !token.isEmpty, token.utf8.count <= maxTokenBytes else { throw APIError.unauthenticated("the bearer token is empty or too long") }
        return token
    }
}
