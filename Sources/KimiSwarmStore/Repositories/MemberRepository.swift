/// Who belongs to a tenant, with which role.
public struct MemberRepository: Sendable {
    let context: RepositoryContext

    public init(context: RepositoryContext) { self.context = context }

    /// Adds a user to a tenant, or changes their role there.
    @discardableResult
    public func setMember(tenantID: String, userID: String, role: Role) async throws -> Membership {
        let now = context.now
        try await context.database.query(
            """
            INSERT INTO memberships(tenant_id, user_id, role, created_at) VALUES (\(tenantID), \(userID), \(role.rawValue), \(now))
            ON CONFLICT (tenant_id, user_id) DO UPDATE SET role = excluded.role
            """)
        guard let member = try await member(tenantID: tenantID, userID: userID) else { throw StoreError.notFound("membership") }
        return member
    }

    /// A user's membership in the tenant.
    public func member(tenantID: String, userID: String) async throws -> Membership? {
        try await context.database.first("SELECT * FROM memberships WHERE tenant_id = \(tenantID) AND user_id = \(userID)")
            .map(Self.membership)
    }

    /// Every member of the tenant.
    public func members(tenantID: String) async throws -> [Membership] {
        try await context.database.query("SELECT * FROM memberships WHERE tenant_id = \(tenantID) ORDER BY created_at, user_id")
            .map(Self.membership)
    }

    /// Removes a user from the tenant.
    public func removeMember(tenantID: String, userID: String) async throws {
        try await context.database.query("DELETE FROM memberships WHERE tenant_id = \(tenantID) AND user_id = \(userID)")
    }

    static func membership(_ row: SQLRow) throws -> Membership {
        Membership(
            tenantID: try row.string("tenant_id"), userID: try row.string("user_id"), role: try row.role("role"),
            createdAt: try row.date("created_at"))
    }
}
