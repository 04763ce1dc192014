import Foundation
import Hummingbird
import KimiSwarmEngine
import KimiSwarmPlatform
import KimiSwarmStore

/// The web dashboard at `/`: server-rendered pages over the API's own operations (``DashboardAPI``), one stylesheet, one
/// small script for live updates, SVG drawn here. Its routes are not part of the REST API's
/// route table (they answer HTML to browsers, with a session cookie).
struct DashboardRoutes {
    let store: SwarmStore
    let library: TemplateLibrary
    let api: DashboardAPI
    let apiKeys: APIKeyAuthenticator
    let memberships: MembershipCache
    let tenants: TenantStatusCache
    let quotas: QuotaEnforcer
    let policy: WebSessionPolicy

    func register(_ router: Router<AppRequestContext>) {
        let open = router.group().add(middleware: DashboardErrorMiddleware())
        DashboardAssets.register(open)
        let pages = router.group().add(middleware: DashboardErrorMiddleware())
            .add(middleware: WebAuthMiddleware(store: store, memberships: memberships, tenants: tenants, policy: policy))
            .add(middleware: TenantRateLimitMiddleware(quotas: quotas))
        SignInRoutes(store: store, apiKeys: apiKeys, policy: policy).register(public: open, signedIn: pages)
        OverviewPage(store: store, api: api, clock: policy.clock).register(pages)
        RunPages(store: store, library: library, api: api).register(pages)
        AgentPages(store: store, library: library, api: api).register(pages)
        CostPage(api: api, clock: policy.clock).register(pages)
        SettingsPage(store: store, api: api, policy: policy).register(pages)
        AdminPage(store: store, api: api, clock: policy.clock).register(pages)
    }
}

/// Errors on dashboard pages become an HTML page with the same status, message and hint the
/// API would give (never a stack trace or a secret).
struct DashboardErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = ErrorMiddleware.apiError(for: error, logger: context.logger)
            let title = apiError.status == .notFound ? "Not found" : "Something went wrong"
            let content: HTML = """
                <main class="error-page">
                  <h1>\(title)</h1>
                  <p class="error" role="alert">\(Self.sentence(apiError.message))</p>
                  \(apiError.hint.map { "<p class=\"muted\">\($0)</p>" as HTML })
                  <p class="muted small">Status \(Int(apiError.status.code)) · request \(context.requestID)</p>
                  <p><a class="button" href="/">Back to the overview</a></p>
                </main>
                """
            let html =
                context.principal == nil
                ? Layout.document(title, page: "error", content)
                : Layout.page(title, page: "error", active: "", context: context, content)
            var response = Page.response(html, status: apiError.status)
            for field in apiError.headers { response.headers.append(field) }
            return response
        }
    }

    static func sentence(_ message: String) -> String {
        guard let first = message.first else { return message }
        return first.uppercased() + message.dropFirst() + (message.hasSuffix(".") ? "" : ".")
    }
}
