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

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let principal = try await BearerAuthentication(authenticator: authenticator, store: store, tenants: tenants).principal(of: request)
        var context = context
        context.principal = principal
        context.logger[metadataKey: "tenant_id"] = .string(principal.tenantID)
        return try await next(request, context)
    }
}
