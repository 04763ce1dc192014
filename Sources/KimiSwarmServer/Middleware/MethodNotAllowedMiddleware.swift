import HTTPTypes
public import Hummingbird
import Synchronization

/// Answers `405 Method Not Allowed` with an `Allow` header (and the usual error body) when a
/// request's path is one the router has routes for, but none for its method: `TRACE /health`,
/// `PUT /api/v1/runs`, `DELETE /api/v1/runs/{id}`. Hummingbird's router answers 404 for
/// those; this middleware turns the router's own "no route" (and only that, never a route's
/// 404 for a missing resource) into the 405 RFC 9110 asks for.
///
/// It knows the routes from the router itself (``load(_:)`` after every route was
/// registered), API and dashboard alike, and resolves a path the way the router's trie does:
/// segment by segment, a literal segment before a parameter, so `GET /api/v1/runs/estimate`
/// is a 405 (only `POST` takes that path) and not a run id.
public struct MethodNotAllowedMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    /// One registered route: its path's segments and its method.
    struct Route: Sendable {
        /// A literal segment, or `nil` for a parameter (`{id}`, `*`) that takes any segment.
        var segments: [String?]
        var method: HTTPRequest.Method
    }

    private let routes: Routes

    /// The routes, set once the router is complete.
    final class Routes: Sendable {
        let value = Mutex<[Route]>([])
    }

    public init() { routes = Routes() }

    /// Adds the middleware to `router` (before the routes it should cover) and returns it, for
    /// ``load(_:)`` once every route is registered.
    public static func install(on router: Router<AppRequestContext>) -> MethodNotAllowedMiddleware {
        let middleware = MethodNotAllowedMiddleware()
        router.add(middleware: middleware)
        return middleware
    }

    /// Reads the router's routes (call after the last route was added).
    public func load(_ descriptions: [Router<AppRequestContext>.RouteDescription]) {
        let loaded = descriptions.map { description in
            Route(
                segments: description.path.map { element in
                    let text = element.description
                    return text.contains("{") || text.contains("*") ? nil : text
                },
                method: description.method)
        }
        routes.value.withLock { $0 = loaded }
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && context.endpointPath == "NotFound" {
            // The router found no route for the path and method (its not-found responder ran).
            let allowed = allowedMethods(for: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { throw error }
            let list = allowed.joined(separator: ", ")
            throw APIError(
                status: .methodNotAllowed, type: "invalid_request",
                message: "\(request.method.rawValue.prefix(32)) is not a method of this path (it takes \(list))",
                hint: "Use one of: \(list). See /openapi.json.", headers: [.allow: list])
        }
    }

    /// The methods the router takes on `path`, sorted; empty when no route has that path.
    func allowedMethods(for path: String) -> [String] {
        let segments = path.split(separator: "/")
        var candidates = routes.value.withLock { $0 }
        for (index, segment) in segments.enumerated() {
            candidates = candidates.filter { index < $0.segments.count && ($0.segments[index] == nil || $0.segments[index] == String(segment)) }
            // The trie takes a literal segment over a parameter and does not come back.
            if candidates.contains(where: { $0.segments[index] != nil }) {
                candidates = candidates.filter { $0.segments[index] != nil }
            }
        }
        return Set(candidates.filter { $0.segments.count == segments.count }.map(\.method.rawValue)).sorted()
    }
}
