import KimiSwarmCore
import Foundation
import Hummingbird
import KimiSwarmStore
import KimiSwarmPlatform

/// `/keys`: the tenant's API keys. Listing never shows a secret; creating answers the plain
/// key once; revoking takes effect at once on this replica (the authenticator's cache is
/// dropped) and within the cache's lifetime on the others. A key's role may not be above the
/// caller's, and a tenant admin may not revoke a super admin's key (403).
struct KeyRoutes {
    let store: SwarmStore
    let apiKeys: APIKeyAuthenticator

    struct CreateBody: Decodable {
        var name: String
        var role: String
        var expiresAt: String?
        static let allowedKeys: Set<String> = ["name", "role", "expires_at"]
        enum CodingKeys: String, CodingKey {
            case name, role
            case expiresAt = "expires_at"
        }
    }

    func register(_ api: APIRoutes) {
        api.on(.get, "keys", .keysRead) { _, _, principal in
            let now = apiKeys.clock.date()
            return try JSONBody.response(["data": try await store.apiKeys.keys(tenantID: principal.tenantID).map { APIKeyDTO(key: $0, now: now) }])
        }
        api.on(.post, "keys", .keysManage) { request, context, principal in
            let body = try await Admin.body(CreateBody.self, request, context, allowedKeys: CreateBody.allowedKeys)
            try Admin.validateName(body.name)
            let role = try Admin.role(body.role)
            try principal.requireMayGrant(role)
            var expiresAt: Date?
            if let text = body.expiresAt {
                guard let date = ISO8601.date(text) else {
                    throw APIError.unprocessable("`expires_at` must be an ISO 8601 time such as 2027-01-31T00:00:00Z", param: "expires_at")
                }
                guard date > apiKeys.clock.date() else { throw APIError.unprocessable("`expires_at` must be in the future", param: "expires_at") }
                expiresAt = date
            }
            let created = try await store.apiKeys.createKey(
                tenantID: principal.tenantID, name: body.name, role: role, userID: principal.userID, expiresAt: expiresAt)
            return try JSONBody.response(
                APIKeyDTO(key: created.key, now: apiKeys.clock.date(), plaintext: created.plaintext), status: .created,
                headers: [.location: "/api/v1/keys/\(created.key.id)"])
        }
        api.on(.delete, "keys/:key_id", .keysManage) { _, context, principal in
            let keyID = try Admin.identifier(context, "key_id", what: "api key")
            guard let key = try await store.apiKeys.key(tenantID: principal.tenantID, keyID: keyID) else { throw APIError.notFound("api key") }
            try principal.requireMayGrant(key.role)
            if key.revokedAt == nil { try await store.apiKeys.revokeKey(tenantID: principal.tenantID, keyID: keyID) }
            apiKeys.invalidateAll()
            return Admin.noContent()
        }
    }
}
