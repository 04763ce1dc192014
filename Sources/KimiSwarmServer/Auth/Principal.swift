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
    public var userID: String?
    public var apiKeyID: String?
    public var method: Method

    public init(tenantID: String, role: Role, userID: String? = nil, apiKeyID: String? = nil, method: Method) {
        self.tenantID = tenantID
        self.homeTenantID = tenantID
        self.role = role
        self.userID = userID
        self.apiKeyID = apiKeyID
        self.method = method
    }

    public var isSuperAdmin: Bool { role == .superAdmin }

    /// Whether the role grants `permission`.
    public func allows(_ permission: Permission) -> Bool { permission.roles.contains(role) }
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
    /// Every role: who am I, sessions.
    case authenticated = "authenticated"

    /// The roles that hold the permission.
    public var roles: Set<Role> {
        switch self {
        case .runsRead, .templatesRead: return [.superAdmin, .tenantAdmin, .developer, .viewer]
        case .runsWrite, .templatesWrite, .gateway: return [.superAdmin, .tenantAdmin, .developer]
        case .usageRead: return [.superAdmin, .tenantAdmin, .billingAdmin]
        case .keysRead, .membersRead: return [.superAdmin, .tenantAdmin]
        case .keysManage, .membersManage, .credentialsManage, .quotaManage: return [.superAdmin, .tenantAdmin]
        case .quotaRead, .plansRead: return [.superAdmin, .tenantAdmin, .developer, .viewer, .billingAdmin]
        case .plansManage, .tenantsManage: return [.superAdmin]
        case .authenticated: return Set(Role.allCases)
        }
    }
}
