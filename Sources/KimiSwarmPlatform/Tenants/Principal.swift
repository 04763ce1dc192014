import Foundation
public import KimiSwarmStore

/// Who is calling: the tenant they act in, their role there, and how they proved it.
public struct Principal: Sendable, Hashable {
    /// How the caller authenticated.
    public enum Method: String, Sendable, Hashable {
        case apiKey = "api_key"
        case session
        case oidc
        /// The dashboard's session cookie.
        case dashboard
    }

    /// The tenant the request acts in (a super admin may pick another with `X-KimiSwarm-Tenant`).
    public var tenantID: String
    /// The tenant the credential belongs to.
    public var homeTenantID: String
    public var role: Role
    /// The user the credential belongs to: the person signed in, or the user who created the
    /// API key (for attribution only: a key never acts as its creator's account).
    public var userID: String?
    public var apiKeyID: String?
    public var method: Method
    /// Whether the credential is the person themself (a password sign-in, single sign-on, or a
    /// session made from one), not a key that names them. Only such a credential may do what
    /// belongs to the person: change their password, accept an invitation. An API key, and a
    /// session made from one, act with the key's role and never as the account.
    public var isPersonal: Bool

    public init(
        tenantID: String, role: Role, userID: String? = nil, apiKeyID: String? = nil, method: Method, isPersonal: Bool = false
    ) {
        self.tenantID = tenantID
        self.homeTenantID = tenantID
        self.role = role
        self.userID = userID
        self.apiKeyID = apiKeyID
        self.method = method
        self.isPersonal = isPersonal && apiKeyID == nil
    }

    /// The signed-in person's user id; a 403 for a credential that is not the person (an API
    /// key, or a session made from one), whatever user it names.
    package func requirePerson(to action: String) throws -> String {
        guard isPersonal, let userID else {
            throw PlatformError(.forbidden, type: "permission_denied", message:
                "\(action) needs you signed in as yourself; an API key (or a session made from one) cannot do it, whoever created it",
                hint: "Sign in with your e-mail and password or single sign-on.")
        }
        return userID
    }

    public var isSuperAdmin: Bool { role == .superAdmin }

    /// Whether the role grants `permission` (and, for ``Permission/account``, whether the
    /// credential is the person).
    public func allows(_ permission: Permission) -> Bool {
        permission.roles.contains(role) && (permission != .account || isPersonal)
    }
}

/// What a route needs. Each route declares one; ``Permission/roles`` is the whole role matrix
/// of ARCHITECTURE.md in one table, and the router refuses a caller whose role lacks it.
public enum Permission: String, Sendable, CaseIterable {
    case runsRead = "runs:read"
    case runsWrite = "runs:write"
    case templatesRead = "templates:read"
    case templatesWrite = "templates:write"
    case gateway = "gateway"
    case usageRead = "usage:read"
    case keysRead = "keys:read"
    case keysManage = "keys:manage"
    case membersRead = "members:read"
    case membersManage = "members:manage"
    case credentialsManage = "credentials:manage"
    case quotaRead = "quota:read"
    case quotaManage = "quota:manage"
    case plansRead = "plans:read"
    case plansManage = "plans:manage"
    case tenantsManage = "tenants:manage"
    /// `/metrics`: every tenant's usage (also open to the metrics token).
    case metricsRead = "metrics:read"
    /// Every role: who am I, sessions.
    case authenticated = "authenticated"
    /// What belongs to the person, not to a key that names them: their password, their
    /// invitations. Every role, but only with a personal credential (``Principal/isPersonal``).
    case account = "account"

    /// The roles that hold the permission.
    public var roles: Set<Role> {
        switch self {
        case .runsRead, .templatesRead: return [.superAdmin, .tenantAdmin, .developer, .viewer]
        case .runsWrite, .templatesWrite, .gateway: return [.superAdmin, .tenantAdmin, .developer]
        case .usageRead: return [.superAdmin, .tenantAdmin, .billingAdmin]
        case .keysRead, .membersRead: return [.superAdmin, .tenantAdmin]
        case .keysManage, .membersManage, .credentialsManage, .quotaManage: return [.superAdmin, .tenantAdmin]
        case .quotaRead, .plansRead: return [.superAdmin, .tenantAdmin, .developer, .viewer, .billingAdmin]
        case .plansManage, .tenantsManage, .metricsRead: return [.superAdmin]
        case .authenticated, .account: return Set(Role.allCases)
        }
    }
}
