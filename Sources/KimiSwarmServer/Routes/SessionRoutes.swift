import Foundation
import KimiSwarmCore
import Hummingbird
import KimiSwarmStore
import KimiSwarmPlatform

/// `POST /api/v1/sessions`: exchanges the caller's credential for a short-lived HS256 session
/// token, for browsers and WebSocket clients. A session never carries more authority than the
/// credential it was made from: made from an API key, it acts with the key's role, ends when
/// the key is revoked or expires (and no later than the key's expiry), and is not the person
/// (it cannot change their password). Made from single sign-on or another personal session,
/// it is the person's.
struct SessionRoutes {
    let tokens: SessionTokens?
    let store: SwarmStore
    var clock: any SwarmClock = SystemClock()

    func register(_ api: APIRoutes) {
        api.on(.post, "sessions", .authenticated) { _, _, principal in
            guard let tokens else {
                throw APIError(
                    status: .notFound, type: "not_found", message: "sessions are not enabled on this server",
                    hint: "Use your API key as the bearer token; the operator enables sessions by setting KIMISWARM_JWT_SECRET (32+ bytes).")
            }
            guard let userID = principal.userID else {
                throw APIError.unprocessable(
                    "this API key belongs to no user; sessions are for users", hint: "Use an API key created for a user.")
            }
            // A credential that is not the person is a key (or a session made from one): the new
            // session is bound to that key.
            guard principal.isPersonal || principal.apiKeyID != nil else { throw APIError.forbidden("this credential cannot make a session") }
            let notAfter = try await principal.apiKeyID.asyncMap { try await keyExpiry(principal, keyID: $0) } ?? nil
            // Sessions live in the credential's own tenant (a super admin picks another per request
            // with X-KimiSwarm-Tenant, as with the key).
            let token = try tokens.issue(
                userID: userID, tenantID: principal.homeTenantID, role: principal.role.rawValue,
                apiKeyID: principal.isPersonal ? nil : principal.apiKeyID, notAfter: notAfter)
            let expires = min(clock.date().addingTimeInterval(tokens.ttl), notAfter ?? .distantFuture)
            let session: JSONValue = [
                "token": .string(token), "token_type": "Bearer", "expires_at": .string(ISO8601.string(expires)),
                "tenant_id": .string(principal.homeTenantID), "role": .string(principal.role.rawValue), "personal": .bool(principal.isPersonal),
            ]
            return try JSONBody.response(session, status: .created)
        }
    }

    /// When the key behind a non-personal credential expires (`nil`: never).
    private func keyExpiry(_ principal: Principal, keyID: String) async throws -> Date? {
        try await store.apiKeys.key(tenantID: principal.homeTenantID, keyID: keyID)?.expiresAt
    }
}
