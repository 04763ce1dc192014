import HTTPTypes
import Hummingbird
import Synchronization

/// The API's operations by method and path, each the route's own handler with its permission
/// check. The dashboard calls them in process as the signed-in principal: the same code,
/// permission rules, validation and quotas as the REST API, without going through the router
/// (so without its authentication and rate limit, which the page itself went through).
final class APIOperations: Sendable {
    typealias Handler = @Sendable (Request, AppRequestContext) async throws -> Response

    private struct Entry: Sendable {
        var method: HTTPRequest.Method
        var segments: [Substring]
        var handler: Handler
    }

    private let entries = Mutex<[Entry]>([])

    /// Adds the operation at `path` (`/api/v1/runs/:id`).
    func add(_ method: HTTPRequest.Method, _ path: String, handler: @escaping Handler) {
        let entry = Entry(method: method, segments: path.split(separator: "/"), handler: handler)
        entries.withLock { $0.append(entry) }
    }

    /// The operation answering `method` at `path` (no query) and its path parameters; a
    /// constant segment beats a parameter, as in the router.
    func match(_ method: HTTPRequest.Method, _ path: String) -> (Handler, [(Substring, Substring)])? {
        let parts = path.split(separator: "/")
        var best: (score: Int, handler: Handler, parameters: [(Substring, Substring)])?
        for entry in entries.withLock({ $0 }) where entry.method == method && entry.segments.count == parts.count {
            var score = 0
            var parameters: [(Substring, Substring)] = []
            var matches = true
            for (pattern, part) in zip(entry.segments, parts) {
                if pattern.hasPrefix(":") {
                    parameters.append((pattern.dropFirst(), part))
                } else if pattern == part {
                    score += 1
                } else {
                    matches = false
                    break
                }
            }
            if matches, score > best?.score ?? -1 { best = (score, entry.handler, parameters) }
        }
        return best.map { ($0.handler, $0.parameters) }
    }
}
