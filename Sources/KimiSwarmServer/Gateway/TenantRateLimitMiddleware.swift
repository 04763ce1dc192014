import KimiSwarmPlatform
import Hummingbird

/// Applies the tenant's requests-per-minute limit (and each key's) to the routes of the
/// groups it is added to, after ``AuthMiddleware``: a 429 with `Retry-After` beyond it.
/// Token and cost budgets are the gateway's to check; this only counts requests. On the
/// dashboard's pages it comes after the session check: a page view is one request.
///
/// A super admin is never held by a tenant's limits here: whatever a tenant's limits say
/// (even one that slipped in before limits were checked), the person who can fix them can
/// always reach the admin API.
struct TenantRateLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let quotas: QuotaEnforcer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let principal = context.principal, !principal.isSuperAdmin {
            try await quotas.admit(principal, budgets: false)
        }
        return try await next(request, context)
    }
}
