import Foundation
import Hummingbird
import KimiSwarmStore
import KimiSwarmPlatform

/// `GET /me` (any role) and the super admin's tenant directory: `/tenants`,
/// `/tenants/{tenant_id}` and `/tenants/{tenant_id}/plan`. A super admin sees every tenant,
/// so a tenant id here is never "foreign" to them; every other role gets 404 for another
/// tenant's id (as for one that does not exist) and 403 for its own.
struct TenantRoutes {
    let store: SwarmStore
    let apiKeys: APIKeyAuthenticator
    let tenants: TenantStatusCache
    let quotas: QuotaEnforcer

    struct CreateBody: Decodable {
        var name: String
        var id: String?
        var planID: String?
        static let allowedKeys: Set<String> = ["name", "id", "plan_id"]
        enum CodingKeys: String, CodingKey {
            case name, id
            case planID = "plan_id"
        }
    }

    struct PatchBody: Decodable {
        var name: String?
        var planID: String??
        var suspended: Bool?
        static let allowedKeys: Set<String> = ["name", "plan_id", "suspended"]
        enum CodingKeys: String, CodingKey {
            case name, suspended
            case planID = "plan_id"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            suspended = try container.decodeIfPresent(Bool.self, forKey: .suspended)
            // Present and null: move the tenant off any plan; absent: leave it.
            planID = container.contains(.planID) ? .some(try container.decodeIfPresent(String.self, forKey: .planID)) : .none
        }
    }

    struct PlanBody: Decodable {
        var planID: String?
        static let allowedKeys: Set<String> = ["plan_id"]
        enum CodingKeys: String, CodingKey { case planID = "plan_id" }
    }

    func register(_ api: APIRoutes) {
        api.on(.get, "me", .authenticated) { _, _, principal in try await me(principal) }
        api.on(.get, "tenants", .tenantsManage) { _, _, _ in
            try JSONBody.response(["data": try await store.directory.listTenants().map(TenantDTO.init)])
        }
        api.on(.post, "tenants", .tenantsManage) { request, context, _ in try await create(request, context) }
        api.on(.get, "tenants/:tenant_id", .tenantsManage, tenantParameter: "tenant_id") { _, context, _ in try JSONBody.response(TenantDTO(try await tenant(context))) }
        api.on(.patch, "tenants/:tenant_id", .tenantsManage, tenantParameter: "tenant_id") { request, context, _ in try await patch(request, context) }
        api.on(.delete, "tenants/:tenant_id", .tenantsManage, tenantParameter: "tenant_id") { _, context, principal in try await delete(context, principal) }
        api.on(.put, "tenants/:tenant_id/plan", .tenantsManage, tenantParameter: "tenant_id") { request, context, _ in
            let target = try await tenant(context)
            let body = try await Admin.body(PlanBody.self, request, context, allowedKeys: PlanBody.allowedKeys)
            try await requirePlan(body.planID)
            try await store.directory.setPlan(tenantID: target.id, planID: body.planID)
            quotas.invalidate(tenantID: target.id)
            return try JSONBody.response(TenantDTO(try await tenant(id: target.id)))
        }
    }

    private func me(_ principal: Principal) async throws -> Response {
        let current = try await store.directory.tenant(tenantID: principal.tenantID)
        // The account is shown only to the person; a key names who created it, nothing more.
        let personID = principal.isPersonal ? principal.userID : nil
        let user = try await personID.asyncMap { try await store.directory.user(id: $0) } ?? nil
        let permissions = Permission.allCases.filter { principal.allows($0) }.map(\.rawValue)
        return try JSONBody.response(
            MeDTO(
                tenantID: principal.tenantID, tenant: current.map(TenantDTO.init), homeTenantID: principal.homeTenantID, role: principal.role.rawValue,
                userID: personID, email: user?.email, apiKeyID: principal.apiKeyID, keyCreatedBy: principal.isPersonal ? nil : principal.userID,
                personal: principal.isPersonal, method: principal.method.rawValue, permissions: permissions))
    }

    private func tenant(_ context: AppRequestContext) async throws -> Tenant {
        try await tenant(id: try Admin.identifier(context, "tenant_id", what: "tenant"))
    }

    private func tenant(id: String) async throws -> Tenant {
        guard let tenant = try await store.directory.tenant(tenantID: id) else { throw APIError.notFound("tenant") }
        return tenant
    }

    private func requirePlan(_ planID: String?) async throws {
        guard let planID else { return }
        guard try await store.quotas.plan(id: planID) != nil else {
            throw APIError.unprocessable("there is no plan `\(planID)`", hint: "GET /api/v1/plans lists the plans.", param: "plan_id")
        }
    }

    private func create(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let body = try await Admin.body(CreateBody.self, request, context, allowedKeys: CreateBody.allowedKeys)
        try Admin.validateName(body.name)
        if let id = body.id { try Admin.validateID(id, field: "id") }
        try await requirePlan(body.planID)
        let tenant: Tenant
        if let id = body.id {
            tenant = try await store.directory.createTenant(name: body.name, id: id, planID: body.planID)
        } else {
            tenant = try await store.directory.createTenant(name: body.name, planID: body.planID)
        }
        return try JSONBody.response(TenantDTO(tenant), status: .created, headers: [.location: "/api/v1/tenants/\(tenant.id)"])
    }

    private func patch(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let target = try await tenant(context)
        let body = try await Admin.body(PatchBody.self, request, context, allowedKeys: PatchBody.allowedKeys)
        if let name = body.name {
            try Admin.validateName(name)
            try await store.directory.renameTenant(tenantID: target.id, name: name)
        }
        if let planID = body.planID {
            try await requirePlan(planID)
            try await store.directory.setPlan(tenantID: target.id, planID: planID)
            quotas.invalidate(tenantID: target.id)
        }
        if let suspended = body.suspended, suspended != target.isSuspended {
            try await store.directory.setSuspended(tenantID: target.id, suspended)
            apiKeys.invalidateAll()
            tenants.invalidateAll()
        }
        return try JSONBody.response(TenantDTO(try await tenant(id: target.id)))
    }

    private func delete(_ context: AppRequestContext, _ principal: Principal) async throws -> Response {
        let target = try await tenant(context)
        guard target.id != principal.homeTenantID else {
            throw APIError.conflict("you cannot delete the tenant your own credential belongs to", hint: "Use a super admin key of another tenant.")
        }
        try await store.directory.deleteTenant(tenantID: target.id)
        apiKeys.invalidateAll()
        tenants.invalidateAll()
        return Admin.noContent()
    }
}

/// `GET /me`: who the caller is and what they may do.
struct MeDTO: Encodable {
    var tenantID: String
    var tenant: TenantDTO?
    var homeTenantID: String
    var role: String
    /// The signed-in person (`null` for an API key and a session made from one).
    var userID: String?
    var email: String?
    var apiKeyID: String?
    /// The user who created the API key behind the credential (attribution only).
    var keyCreatedBy: String?
    /// Whether the credential is the person themself.
    var personal: Bool
    var method: String
    var permissions: [String]

    enum CodingKeys: String, CodingKey {
        case tenant, role, email, method, permissions, personal
        case tenantID = "tenant_id"
        case homeTenantID = "home_tenant_id"
        case userID = "user_id"
        case apiKeyID = "api_key_id"
        case keyCreatedBy = "key_created_by"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tenantID, forKey: .tenantID)
        try container.encode(tenant, forKey: .tenant)
        try container.encode(homeTenantID, forKey: .homeTenantID)
        try container.encode(role, forKey: .role)
        try container.encode(userID, forKey: .userID)
        try container.encode(email, forKey: .email)
        try container.encode(apiKeyID, forKey: .apiKeyID)
        try container.encode(keyCreatedBy, forKey: .keyCreatedBy)
        try container.encode(personal, forKey: .personal)
        try container.encode(method, forKey: .method)
        try container.encode(permissions, forKey: .permissions)
    }
}

extension Optional {
    /// `map` with an async transform.
    func asyncMap<U>(_ transform: (Wrapped) async throws -> U) async rethrows -> U? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
