/// The five roles of the platform.
public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every tenant.
    case superAdmin = "super_admin"
    /// Their own tenant: users, keys, quotas, provider credentials.
    case tenantAdmin = "tenant_admin"
    /// Agents, runs, knowledge.
    case developer
    /// Read only.
    case viewer
    /// Usage, cost, plans.
    case billingAdmin = "billing_admin"
}
