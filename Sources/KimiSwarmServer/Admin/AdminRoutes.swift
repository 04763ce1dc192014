import KimiSwarmCore
import Foundation
import KimiSwarmEngine
import KimiSwarmPlatform
import KimiSwarmStore

/// Every admin route group of `/api/v1`: who am I, tenants, members, API keys, provider
/// credentials, templates, usage, plans and quota, and one's own password.
struct AdminRoutes {
    let store: SwarmStore
    let library: TemplateLibrary
    let apiKeys: APIKeyAuthenticator
    let tenants: TenantStatusCache
    let memberships: MembershipCache
    let clients: TenantClients
    let quotas: QuotaEnforcer
    let passwords: PasswordHasher
    /// What usage periods and quota renewals read the date from.
    var clock: any SwarmClock = SystemClock()
    var now: @Sendable () -> Date { { [clock] in clock.date() } }

    func register(_ api: APIRoutes) {
        TenantRoutes(store: store, apiKeys: apiKeys, tenants: tenants, quotas: quotas).register(api)
        MemberRoutes(store: store, memberships: memberships, passwords: passwords).register(api)
        InvitationRoutes(store: store, memberships: memberships).register(api)
        PasswordRoutes(store: store, passwords: passwords).register(api)
        KeyRoutes(store: store, apiKeys: apiKeys).register(api)
        CredentialRoutes(store: store, clients: clients).register(api)
        TemplateRoutes(store: store, library: library).register(api)
        UsageRoutes(store: store, now: now).register(api)
        PlanQuotaRoutes(store: store, quotas: quotas, now: now).register(api)
    }
}
