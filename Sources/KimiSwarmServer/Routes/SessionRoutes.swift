import Foundation
import Hummingbird
import KimiSwarmStore

/// `POST /api/v1/sessions`: exchanges the caller's credential (an API key of a user, or a
/// session) for a short-lived HS256 session token, for browsers and WebSocket clients.
struct SessionRoutes {
    let tokens: SessionTokens?

    func register(_ api: APIRoutes) {
        api.on(.post, "sessions", .authenticated) { _, _, principal in
            guard let tokens else {
                throw APIError.unavailable(
                    "sessions are not enabled on this server", hint: "The operator must set KIMISWARM_JWT_SECRET (32+ bytes).")
            }
            guard let userID = principal.userID else {
                throw APIError.unprocessable(
                    "this API key belongs to no user; sessions are for users", hint: "Use an API key created for a user.")
            }
            let token = try tokens.issue(userID: userID, tenantID: principal.tenantID, role: principal.role.rawValue)
            let expires = Date().addingTimeInterval(tokens.ttl)
            return try RunRoutes.rawJSON(
                ["token": token, "token_type": "Bearer", "expires_at": ISO8601.string(expires), "tenant_id": principal.tenantID,
                 "role": principal.role.rawValue],
                status: .created)
        }
    }
}
