public import Hummingbird

/// Refuses paths that are not in canonical form (`//`, `.` or `..` segments, encoded dots,
/// slashes or backslashes), so no spelling of a path can reach a route by a way its checks
/// did not expect. Routes match case-sensitively; other spellings are simply not found.
public struct CanonicalPathMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if !Self.isCanonical(path) {
            throw APIError.invalidRequest(
                "the path is not in canonical form", hint: "Remove doubled slashes, `.`/`..` segments and percent-encoded `.`, `/` or `\\`.")
        }
        return try await next(request, context)
    }

    static func isCanonical(_ path: String) -> Bool {
        guard path.hasPrefix("/") else { return false }
        if path.contains("//") || path.contains("\\") { return false }
        let lowered = path.lowercased()
        for encoded in ["%2e", "%2f", "%5c", "%00"] where lowered.contains(encoded) { return false }
        for segment in path.split(separator: "/", omittingEmptySubsequences: false).dropFirst() where segment == "." || segment == ".." {
            return false
        }
        return true
    }
}
