import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import KimiSwarmStore
import KimiSwarmPlatform
import NIOCore

/// A submitted HTML form (`application/x-www-form-urlencoded`). Reading one checks its CSRF
/// token: every dashboard form carries the session's token in `_csrf`, so reading a form is
/// also where a forged post is refused.
struct WebForm: Sendable {
    private(set) var fields: [String: [String]] = [:]

    init(fields: [String: [String]]) { self.fields = fields }

    subscript(_ name: String) -> String? { fields[name]?.first }

    /// A trimmed, non-empty value, or `nil`.
    func text(_ name: String) -> String? {
        guard let value = self[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// Reads a signed-in user's form and checks its CSRF token (403 when it is missing or wrong).
    static func read(_ request: Request, context: AppRequestContext) async throws -> WebForm {
        let form = try await parse(request, context: context)
        guard let web = context.web, let sent = form["_csrf"], tokensMatch(sent, web.session.csrfToken) else {
            throw APIError.forbidden("the form's security token is missing or stale", hint: "Reload the page and submit it again.")
        }
        return form
    }

    /// Reads the body without checking a token (the sign-in form checks its own).
    static func parse(_ request: Request, context: AppRequestContext) async throws -> WebForm {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw APIError(
                status: .unsupportedMediaType, type: "unsupported_media_type", message: "dashboard forms are sent as application/x-www-form-urlencoded",
                hint: "Submit the form from the page; scripts use the REST API at /api/v1.")
        }
        let buffer = try await request.body.collect(upTo: min(context.bodyLimit, 1 << 20))
        return WebForm(urlencoded: String(buffer: buffer))
    }

    init(urlencoded text: String) {
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            fields[name, default: []].append(value)
        }
    }

    private static func decode(_ part: Substring) -> String {
        let spaced = part.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// Constant-time comparison of two tokens.
    static func tokensMatch(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count, !x.isEmpty else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }

    /// A fresh random token (32 bytes, base64url).
    static func randomToken() -> String {
        let key = SymmetricKey(size: .bits256)
        return key.withUnsafeBytes { Data($0) }.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

/// Responses of dashboard pages.
enum Page {
    /// Pages load scripts, styles and images from this server only; no inline script runs.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static func response(_ html: HTML, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                HTTPField.Name("Content-Security-Policy")!: contentSecurityPolicy,
            ],
            body: .init(byteBuffer: ByteBuffer(string: html.rendered)))
    }

    /// 303 See Other: after a form post, the browser loads `location` with GET.
    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }
}
