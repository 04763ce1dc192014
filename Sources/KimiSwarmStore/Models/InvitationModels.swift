public import Foundation

/// A pending offer of membership: a tenant admin invited a person who already has an account
/// (possibly in other tenants); they become a member only when they accept.
public struct Invitation: Sendable, Hashable, Codable {
    public var tenantID: String
    public var id: String
    /// The invited person.
    public var userID: String
    /// The role they get on accepting (never `super_admin`).
    public var role: Role
    /// Who invited them.
    public var invitedBy: String?
    public var createdAt: Date
    /// After this the invitation can no longer be accepted.
    public var expiresAt: Date
}
