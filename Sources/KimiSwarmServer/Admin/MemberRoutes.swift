import Foundation
import Hummingbird
import KimiSwarmStore
import KimiSwarmPlatform

/// `/members`: who belongs to the caller's tenant and with which role. Adding a member by
/// e-mail creates the user when there is none. A person who has an account already (in
/// another tenant, say) is not added by a tenant admin: they are invited (202, nothing about
/// the account in the answer) and become a member when they accept (`/me/invitations`); a
/// super admin adds them at once. Nobody may grant a role above their own, and a tenant admin
/// may not change or remove a super admin (both 403).
struct MemberRoutes {
    let store: SwarmStore
    let memberships: MembershipCache
    let passwords: PasswordHasher

    struct AddBody: Decodable {
        var email: String
        var role: String
        var displayName: String?
        /// The dashboard password of a user created now (refused for an existing user).
        var password: String?
        static let allowedKeys: Set<String> = ["email", "role", "display_name", "password"]
        enum CodingKeys: String, CodingKey {
            case email, role, password
            case displayName = "display_name"
        }
    }

    struct RoleBody: Decodable {
        var role: String
        static let allowedKeys: Set<String> = ["role"]
    }

    func register(_ api: APIRoutes) {
        api.on(.get, "members", .membersRead) { _, _, principal in
            var data: [MemberDTO] = []
            for member in try await store.members.members(tenantID: principal.tenantID) {
                data.append(MemberDTO(member, user: try await store.directory.user(id: member.userID)))
            }
            return try JSONBody.response(["data": data])
        }
        api.on(.post, "members", .membersManage) { request, context, principal in try await add(request, context, principal) }
        api.on(.put, "members/:user_id", .membersManage) { request, context, principal in
            let target = try await member(context, principal)
            let body = try await Admin.body(RoleBody.self, request, context, allowedKeys: RoleBody.allowedKeys)
            let role = try Admin.role(body.role)
            try principal.requireMayGrant(target.role)
            try principal.requireMayGrant(role)
            let updated = try await store.members.setMember(tenantID: principal.tenantID, userID: target.userID, role: role)
            memberships.invalidateAll()
            return try JSONBody.response(MemberDTO(updated, user: try await store.directory.user(id: target.userID)))
        }
        api.on(.delete, "members/:user_id", .membersManage) { _, context, principal in
            let target = try await member(context, principal)
            try principal.requireMayGrant(target.role)
            if target.userID == principal.userID, principal.tenantID == principal.homeTenantID {
                throw APIError.conflict("you cannot remove yourself", hint: "Ask another admin to remove you.")
            }
            try await store.members.removeMember(tenantID: principal.tenantID, userID: target.userID)
            memberships.invalidateAll()
            return Admin.noContent()
        }
    }

    /// The path's member of the caller's tenant; 404 for a user of another tenant or none.
    private func member(_ context: AppRequestContext, _ principal: Principal) async throws -> Membership {
        let userID = try Admin.identifier(context, "user_id", what: "member")
        guard let member = try await store.members.member(tenantID: principal.tenantID, userID: userID) else {
            throw APIError.notFound("member")
        }
        return member
    }

    private func add(_ request: Request, _ context: AppRequestContext, _ principal: Principal) async throws -> Response {
        let body = try await Admin.body(AddBody.self, request, context, allowedKeys: AddBody.allowedKeys)
        let email = body.email.trimmingCharacters(in: .whitespaces).lowercased()
        guard (3...254).contains(email.count), email.contains("@"), !email.contains(" ") else {
            throw APIError.unprocessable("`email` is not an e-mail address", param: "email")
        }
        let role = try Admin.role(body.role)
        try principal.requireMayGrant(role)
        if let name = body.displayName { try Admin.validateName(name, field: "display_name") }
        var passwordHash: String?
        if let password = body.password {
            try PasswordRoutes.validate(password, field: "password")
            passwordHash = try await PasswordRoutes.hash(password, with: passwords)
        }
        let user: User
        var created = false
        if let existing = try await store.directory.user(email: email) {
            if body.password != nil {
                throw APIError.conflict(
                    "\(email) has an account already; only its owner sets its password", hint: "Add the member without `password`.")
            }
            user = existing
            if let current = try await store.members.member(tenantID: principal.tenantID, userID: user.id) {
                try principal.requireMayGrant(current.role)
            } else if !principal.isSuperAdmin {
                // A membership across tenants needs the person's consent: invite, and say
                // nothing of the account (no name, no id) to the inviter.
                let invitation = try await store.invitations.invite(
                    tenantID: principal.tenantID, userID: user.id, role: role, invitedBy: principal.userID)
                return try JSONBody.response(
                    InvitationDTO(invitation, email: email), status: .accepted,
                    headers: [.location: "/api/v1/invitations/\(invitation.id)"])
            }
        } else {
            user = try await store.directory.createUser(email: email, displayName: body.displayName ?? email)
            created = true
            if let passwordHash { try await store.directory.setPasswordHash(userID: user.id, hash: passwordHash) }
        }
        let member = try await store.members.setMember(tenantID: principal.tenantID, userID: user.id, role: role)
        memberships.invalidateAll()
        return try JSONBody.response(
            MemberDTO(member, user: user), status: created ? .created : .ok, headers: [.location: "/api/v1/members/\(user.id)"])
    }
}
