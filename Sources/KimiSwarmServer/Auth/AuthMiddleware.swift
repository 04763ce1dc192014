import Foundation
import HTTPTypes
public import Hummingbird
public import KimiSwarmStore
import KimiSwarmPlatform
import Logging

/// Authenticates every request of the groups it is added to: `Authorization: Bearer <token>`
/// is required and must prove a caller; the routes then check the caller's role against their
/// ``Permission``. A super admin may act in another tenant with `X-KimiSwarm-Tenant: <id>`.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let authenticator: any Authenticator
    let store: SwarmStore
    let tenants: TenantStatusCache

    public init(authenticator: any Authenticator, store: SwarmStore, tenants: TenantStatusCache) {
        self.authenticator = authenticator
        self.store = store
        self.tenants = tenants
    }

    static let tenantHeader = HTTPField.Name("X-KimiSwarm-Tenant")!

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The dashboard calls the API in process for a caller it authenticated itself (a
        // request from the network always arrives here with no principal).
        if context.principal != nil { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthenticated("no credentials were sent")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthenticated("the Authorization header must be `Bearer <token>`")
        }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.utf8.count <= 8192 else { throw APIError.unauthenticated("the bearer token is empty or too long") }
        guard var principal = try await authenticator.authenticate(bearer: token) else {
            throw APIError.unauthenticated("the bearer token is not an API key or a token this server accepts")
        }
        // A suspended tenant's credentials stop working (a super admin's home tenant included).
        if !principal.isSuperAdmin { try await tenants.ensureActive(principal.homeTenantID) }
        if let other = request.headers[Self.tenantHeader], other != principal.tenantID {
            guard principal.isSuperAdmin else {
                throw APIError.forbidden("only a super admin may act in another tenant", hint: "Drop the X-KimiSwarm-Tenant header.")
            }
            guard try await store.directory.tenant(tenantID: other) != nil else { throw APIError.notFound("tenant") }
            principal.tenantID = other
        }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "tenant_id"] = .string(principal.tenantID)
        return try await next(request, context)
    }
}
