public import Foundation

/// Tenants and users: the super-admin's directory. Methods here that do not take a tenant id
/// are on the super-admin list of the tenant-safety test (`createTenant`, `listTenants`,
/// `createUser`, `user(email:)`, `user(id:)`, `listUsers`, `tenantsOfUser`).
public struct TenantDirectory: Sendable {
    let context: RepositoryContext

    public init(context: RepositoryContext) { self.context = context }

    /// Creates a tenant (super-admin).
    @discardableResult
    public func createTenant(name: String, id: String = UUID().uuidString.lowercased(), planID: String? = nil) async throws -> Tenant {
        let tenant = Tenant(id: id, name: name, planID: planID, createdAt: context.now)
        if try await context.database.first("SELECT id FROM tenants WHERE id = \(id)") != nil {
            throw StoreError.conflict("tenant")
        }
        try await context.database.query(
            "INSERT INTO tenants(id, name, plan_id, created_at) VALUES (\(id), \(name), \(planID), \(tenant.createdAt))")
        return tenant
    }

    /// Every tenant (super-admin).
    public func listTenants() async throws -> [Tenant] {
        try await context.database.query("SELECT * FROM tenants ORDER BY created_at, id").map(Self.tenant)
    }

    /// One tenant.
    public func tenant(tenantID: String) async throws -> Tenant? {
        try await context.database.first("SELECT * FROM tenants WHERE id = \(tenantID)").map(Self.tenant)
    }

    /// Moves a tenant to a plan.
    public func setPlan(tenantID: String, planID: String?) async throws {
        let rows = try await context.database.query("UPDATE tenants SET plan_id = \(planID) WHERE id = \(tenantID) RETURNING id")
        if rows.isEmpty { throw StoreError.notFound("tenant") }
    }

    /// Suspends a tenant (its keys and users are refused by the server) or lifts the
    /// suspension. Suspending a suspended tenant keeps its first `suspendedAt`.
    public func setSuspended(tenantID: String, _ suspended: Bool) async throws {
        let rows: [SQLRow]
        if suspended {
            rows = try await context.database.query(
                "UPDATE tenants SET suspended_at = COALESCE(suspended_at, \(context.now)) WHERE id = \(tenantID) RETURNING id")
        } else {
            rows = try await context.database.query("UPDATE tenants SET suspended_at = NULL WHERE id = \(tenantID) RETURNING id")
        }
        if rows.isEmpty { throw StoreError.notFound("tenant") }
    }

    /// Renames a tenant.
    public func renameTenant(tenantID: String, name: String) async throws {
        let rows = try await context.database.query("UPDATE tenants SET name = \(name) WHERE id = \(tenantID) RETURNING id")
        if rows.isEmpty { throw StoreError.notFound("tenant") }
    }

    /// Deletes a tenant and, through the schema's cascades, its members, keys, credentials,
    /// templates and runs; its journal, events, ledger, rollups, cache and jobs too.
    public func deleteTenant(tenantID: String) async throws {
        try await context.database.transaction { tx in
            for table in ["run_journal", "run_events", "usage_ledger", "usage_rollups_daily", "response_cache", "jobs"] {
                try await tx.query("DELETE FROM \(raw: table) WHERE tenant_id = \(tenantID)")
            }
            try await tx.query("DELETE FROM tenants WHERE id = \(tenantID)")
        }
    }

    /// Creates a user (super-admin or sign-up).
    public func createUser(email: String, displayName: String, isSuperAdmin: Bool = false) async throws -> User {
        let user = User(
            id: UUID().uuidString.lowercased(), email: email.lowercased(), displayName: displayName,
            isSuperAdmin: isSuperAdmin, createdAt: context.now)
        if try await context.database.first("SELECT id FROM users WHERE email = \(user.email)") != nil {
            throw StoreError.conflict("user")
        }
        try await context.database.query(
            """
            INSERT INTO users(id, email, display_name, is_super_admin, created_at)
            VALUES (\(user.id), \(user.email), \(displayName), \(isSuperAdmin), \(user.createdAt))
            """)
        return user
    }

    /// A user by e-mail (sign-in).
    public func user(email: String) async throws -> User? {
        try await context.database.first("SELECT * FROM users WHERE email = \(email.lowercased())").map(Self.user)
    }

    /// A user by id (super-admin, or the server resolving a signed-in user).
    public func user(id: String) async throws -> User? {
        try await context.database.first("SELECT * FROM users WHERE id = \(id)").map(Self.user)
    }

    /// Every user (super-admin), oldest first.
    public func listUsers() async throws -> [User] {
        try await context.database.query("SELECT * FROM users ORDER BY created_at, id").map(Self.user)
    }

    /// The tenants a user belongs to, with the role in each (sign-in).
    public func tenantsOfUser(userID: String) async throws -> [Membership] {
        try await context.database.query("SELECT * FROM memberships WHERE user_id = \(userID) ORDER BY tenant_id")
            .map(MemberRepository.membership)
    }

    static func tenant(_ row: SQLRow) throws -> Tenant {
        Tenant(
            id: try row.string("id"), name: try row.string("name"), planID: try row.optionalString("plan_id"),
            createdAt: try row.date("created_at"), suspendedAt: try row.optionalDate("suspended_at"))
    }

    static func user(_ row: SQLRow) throws -> User {
        User(
            id: try row.string("id"), email: try row.string("email"), displayName: try row.string("display_name"),
            isSuperAdmin: try row.bool("is_super_admin"), createdAt: try row.date("created_at"))
    }
}
