import Foundation
import Hummingbird
import KimiSwarmStore
import KimiSwarmPlatform

/// Invitations: `/invitations` (the tenant's pending ones, for its admins: list, withdraw) and
/// `/me/invitations` (the person's own, across tenants: list, accept, decline). Accepting and
/// declining belong to the person: an API key (or a session made from one) gets a 403, and
/// another person's invitation answers 404 like one that does not exist.
struct InvitationRoutes {
    let store: SwarmStore
    let memberships: MembershipCache

    func register(_ api: APIRoutes) {
        api.on(.get, "invitations", .membersRead) { _, _, principal in
            var data: [InvitationDTO] = []
            for invitation in try await store.invitations.invitations(tenantID: principal.tenantID) {
                data.append(InvitationDTO(invitation, email: try await store.directory.user(id: invitation.userID)?.email))
            }
            return try JSONBody.response(["data": data])
        }
        api.on(.delete, "invitations/:invitation_id", .membersManage) { _, context, principal in
            let id = try Admin.identifier(context, "invitation_id", what: "invitation")
            guard try await store.invitations.withdraw(tenantID: principal.tenantID, id: id) else { throw APIError.notFound("invitation") }
            return Admin.noContent()
        }
        api.on(.get, "me/invitations", .account) { _, _, principal in
            let userID = try principal.requirePerson(to: "reading your invitations")
            var data: [MyInvitationDTO] = []
            for invitation in try await store.invitations.invitations(userID: userID) {
                data.append(MyInvitationDTO(invitation, tenantName: try await store.directory.tenant(tenantID: invitation.tenantID)?.name))
            }
            return try JSONBody.response(["data": data])
        }
        api.on(.post, "me/invitations/:invitation_id/accept", .account) { _, context, principal in
            let userID = try principal.requirePerson(to: "accepting an invitation")
            let id = try Admin.identifier(context, "invitation_id", what: "invitation")
            guard let member = try await store.invitations.accept(userID: userID, id: id) else { throw APIError.notFound("invitation") }
            memberships.invalidateAll()
            return try JSONBody.response(["tenant_id": member.tenantID, "role": member.role.rawValue])
        }
        api.on(.post, "me/invitations/:invitation_id/decline", .account) { _, context, principal in
            let userID = try principal.requirePerson(to: "declining an invitation")
            let id = try Admin.identifier(context, "invitation_id", what: "invitation")
            guard try await store.invitations.decline(userID: userID, id: id) else { throw APIError.notFound("invitation") }
            return Admin.noContent()
        }
    }
}

/// A pending invitation as the inviting tenant sees it: the e-mail it was sent to and the
/// role offered, nothing about the account.
struct InvitationDTO: Encodable {
    var id: String
    var email: String?
    var role: String
    var status = "invited"
    var createdAt: Date
    var expiresAt: Date

    init(_ invitation: Invitation, email: String?) {
        id = invitation.id
        self.email = email
        role = invitation.role.rawValue
        createdAt = invitation.createdAt
        expiresAt = invitation.expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case id, email, role, status
        case createdAt = "created_at"
        case expiresAt = "expires_at"
    }
}

/// An invitation as the invited person sees it.
struct MyInvitationDTO: Encodable {
    var id: String
    var tenantID: String
    var tenantName: String?
    var role: String
    var expiresAt: Date

    init(_ invitation: Invitation, tenantName: String?) {
        id = invitation.id
        tenantID = invitation.tenantID
        self.tenantName = tenantName
        role = invitation.role.rawValue
        expiresAt = invitation.expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case id, role
        case tenantID = "tenant_id"
        case tenantName = "tenant_name"
        case expiresAt = "expires_at"
    }
}
