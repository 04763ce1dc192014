import Foundation
public import HTTPTypes
import Hummingbird
import KimiSwarmStore
public import KimiSwarmPlatform
import Synchronization

/// One route the server answers, as registered: for the OpenAPI coverage test and the role
/// matrix test.
public struct RouteInfo: Sendable, Hashable {
    public var method: HTTPRequest.Method
    /// The path as registered, with `{name}` parameters (`/api/v1/runs/{id}`).
    public var path: String
    /// What the route needs; `nil` for public routes.
    public var permission: Permission?
}

/// The routes registered so far.
public final class RouteTable: Sendable {
    private let routes = Mutex<[RouteInfo]>([])

    public init() {}

    public var all: [RouteInfo] { routes.withLock { $0 } }

    func record(_ info: RouteInfo) { routes.withLock { $0.append(info) } }
}

/// Registers routes on a group with their permission checked by one mechanism: a route's
/// handler runs only after the caller's role was found to hold the route's ``Permission``.
struct APIRoutes {
    let group: RouterGroup<AppRequestContext>
    let prefix: String
    let table: RouteTable
    /// Where the dashboard finds the routes' handlers (`nil`: the dashboard does not call these).
    var operations: APIOperations? = nil

    /// A route that needs `permission`; the handler gets the caller.
    ///
    /// `tenantParameter` names a path parameter that is a tenant id: for anyone but a super
    /// admin, another tenant's id answers 404 before the permission is checked, exactly like a
    /// tenant that does not exist (a 403 would say it exists).
    func on<Output: ResponseGenerator>(
        _ method: HTTPRequest.Method, _ path: String, _ permission: Permission, tenantParameter: String? = nil,
        handler: @escaping @Sendable (Request, AppRequestContext, Principal) async throws -> Output
    ) {
        table.record(RouteInfo(method: method, path: Self.openAPIPath(prefix + (path.isEmpty ? "" : "/" + path)), permission: permission))
        let guarded: @Sendable (Request, AppRequestContext) async throws -> Output = { request, context in
            let principal = try context.requirePrincipal()
            if let tenantParameter, !principal.isSuperAdmin, context.parameters.get(tenantParameter) != principal.tenantID {
                throw APIError.notFound("tenant")
            }
            if permission == .account, !principal.isPersonal {
                _ = try principal.requirePerson(to: "what belongs to your account (your password, your invitations)")
            }
            guard principal.allows(permission) else {
                throw APIError.forbidden(
                    "your role (\(principal.role.rawValue)) may not do this (it needs \(permission.rawValue))",
                    hint: "Ask a tenant admin for a role that includes \(permission.rawValue).")
            }
            return try await handler(request, context, principal)
        }
        group.on(RouterPath(path), method: method) { request, context in try await guarded(request, context) }
        operations?.add(method, prefix + (path.isEmpty ? "" : "/" + path)) { request, context in
            try await guarded(request, context).response(from: request, context: context)
        }
    }

    /// `runs/:id` → `/runs/{id}`.
    static func openAPIPath(_ path: String) -> String {
        let normalised = path.split(separator: "/").map { part in part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part) }
        return "/" + normalised.joined(separator: "/")
    }
}
