import Foundation

/// Invitations to join a tenant, for people who already have an account: a membership across
/// tenants needs the person's consent (or a super admin), so a tenant admin invites and the
/// person accepts or declines. One pending invitation per person and tenant (inviting again
/// replaces it).
public struct InvitationRepository: Sendable {
    let context: RepositoryContext

    public init(context: RepositoryContext) { self.context = context }

    /// Invites `userID` to the tenant with `role`, replacing a pending invitation of theirs.
    @discardableResult
    public func invite(tenantID: String, userID: String, role: Role, invitedBy: String?, validFor: Duration = .seconds(14 * 86_400))
        async throws -> Invitation
    {
        guard role != .superAdmin else { throw StoreError.conflict("super_admin is never granted by invitation") }
        let now = context.now
        let invitation = Invitation(
            tenantID: tenantID, id: "inv_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20),
            userID: userID, role: role, invitedBy: invitedBy, createdAt: now, expiresAt: now.addingTimeInterval(validFor.seconds))
        try await context.database.transaction { tx in
            try await tx.query("DELETE FROM invitations WHERE tenant_id = \(tenantID) AND user_id = \(userID)")
            try await tx.query(
                """
                INSERT INTO invitations(tenant_id, id, user_id, role, invited_by, created_at, expires_at)
                VALUES (\(tenantID), \(invitation.id), \(userID), \(role.rawValue), \(invitedBy), \(now), \(invitation.expiresAt))
                """)
        }
        return invitation
    }

    /// The tenant's pending invitations (expired ones left out), oldest first.
    public func invitations(tenantID: String) async throws -> [Invitation] {
        try await context.database.query(
            "SELECT * FROM invitations WHERE tenant_id = \(tenantID) AND expires_at > \(context.now) ORDER BY created_at, id"
        ).map(Self.invitation)
    }

    /// One pending invitation of the tenant.
    public func invitation(tenantID: String, id: String) async throws -> Invitation? {
        try await context.database.first(
            "SELECT * FROM invitations WHERE tenant_id = \(tenantID) AND id = \(id) AND expires_at > \(context.now)"
        ).map(Self.invitation)
    }

    /// The person's pending invitations, across tenants (they are the person's to see).
    public func invitations(userID: String) async throws -> [Invitation] {
        try await context.database.query(
            "SELECT * FROM invitations WHERE user_id = \(userID) AND expires_at > \(context.now) ORDER BY created_at, id"
        ).map(Self.invitation)
    }

    /// Withdraws an invitation of the tenant; whether there was one.
    @discardableResult
    public func withdraw(tenantID: String, id: String) async throws -> Bool {
        !(try await context.database.query("DELETE FROM invitations WHERE tenant_id = \(tenantID) AND id = \(id) RETURNING id")).isEmpty
    }

    /// The person accepts: in one transaction the invitation is used up and the membership
    /// made (an existing membership keeps its role). `nil` when it is not the person's, is
    /// unknown or expired.
    public func accept(userID: String, id: String) async throws -> Membership? {
        let now = context.now
        return try await context.database.transaction { tx -> Membership? in
            guard
                let row = try await tx.first(
                    "SELECT * FROM invitations WHERE user_id = \(userID) AND id = \(id) AND expires_at > \(now)\(dialect: .forUpdate)")
            else { return nil }
            let invitation = try Self.invitation(row)
            try await tx.query("DELETE FROM invitations WHERE tenant_id = \(invitation.tenantID) AND id = \(id)")
            try await tx.query(
                """
                INSERT INTO memberships(tenant_id, user_id, role, created_at)
                VALUES (\(invitation.tenantID), \(userID), \(invitation.role.rawValue), \(now))
                ON CONFLICT (tenant_id, user_id) DO NOTHING
                """)
            guard
                let member = try await tx.first(
                    "SELECT * FROM memberships WHERE tenant_id = \(invitation.tenantID) AND user_id = \(userID)")
            else { return nil }
            return try MemberRepository.membership(member)
        }
    }

    /// The person declines; whether there was such an invitation of theirs.
    @discardableResult
    public func decline(userID: String, id: String) async throws -> Bool {
        !(try await context.database.query("DELETE FROM invitations WHERE user_id = \(userID) AND id = \(id) RETURNING id")).isEmpty
    }

    static func invitation(_ row: SQLRow) throws -> Invitation {
        Invitation(
            tenantID: try row.string("tenant_id"), id: try row.string("id"), userID: try row.string("user_id"), role: try row.role("role"),
            invitedBy: try row.optionalString("invited_by"), createdAt: try row.date("created_at"), expiresAt: try row.date("expires_at"))
    }
}
