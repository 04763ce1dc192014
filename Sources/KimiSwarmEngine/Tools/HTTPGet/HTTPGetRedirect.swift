import KimiSwarmCore

/// The redirect rules of `http_get`, apart from I/O: which statuses redirect, where a
/// `Location` leads, and which credentials go along.
enum HTTPGetRedirect {
    /// The statuses that are followed (with their `Location`).
    static let statusCodes: Set<UInt> = [301, 302, 303, 307, 308]

    /// The URL to fetch after `current` answered with a redirect to `location`.
    ///
    /// Refuses a downgrade from https to http. Credentials from the URL stay with the origin
    /// (scheme, host, port) they were given for and are dropped when the origin changes
    /// (unless the `Location` carries its own). The next hop's host is checked by the caller.
    static func next(from current: HTTPGetURL, location: String) throws(ToolError) -> HTTPGetURL {
        var next: HTTPGetURL
        do throws(ToolError) {
            next = try current.resolving(location: location)
        } catch {
            throw ToolError("redirect from \(current.redacted): \(error.message)")
        }
        if current.scheme == .https, next.scheme == .http {
            throw ToolError(
                "refused: \(current.redacted) redirected to \(next.redacted), a downgrade from https to http")
        }
        if next.credentials == nil, next.origin == current.origin { next.credentials = current.credentials }
        return next
    }
}
