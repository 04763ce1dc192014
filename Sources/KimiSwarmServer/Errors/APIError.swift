import Foundation
import KimiSwarmCore
public import KimiSwarmPlatform
public import HTTPTypes
import Hummingbird

/// Every error the API answers with: a status, a stable machine-readable type, a message
/// that says what was wrong and a hint on how to fix it. Rendered by ``ErrorMiddleware`` as
/// `{"error": {"type", "message", "hint", "request_id"}}`. Messages never contain secrets.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    /// `invalid_request`, `authentication_error`, `permission_denied`, `not_found`, `conflict`,
    /// `rate_limit_exceeded`, `quota_exceeded`, `payload_too_large`, `unsupported_media_type`,
    /// `upstream_error`, `unavailable`, `internal_error`.
    public var type: String
    public var message: String
    public var hint: String?
    /// Extra headers (`Retry-After`, `WWW-Authenticate`, `Allow`).
    public var headers: HTTPFields
    /// The offending parameter, for OpenAI-style clients (`param` in the gateway's error body).
    public var param: String?

    public init(
        status: HTTPResponse.Status, type: String, message: String, hint: String? = nil, headers: HTTPFields = [:], param: String? = nil
    ) {
        self.status = status
        self.type = type
        self.message = message
        self.hint = hint
        self.headers = headers
        self.param = param
    }

    public var description: String { "\(status.code) \(type): \(message)" }

    /// The answer to a refusal of the platform: its kind decides the status.
    public init(_ refusal: PlatformError) {
        var headers: HTTPFields = [:]
        let status: HTTPResponse.Status
        switch refusal.kind {
        case .invalid: status = .badRequest
        case .unprocessable: status = .unprocessableContent
        case .unauthenticated:
            status = .unauthorized
            headers[.wwwAuthenticate] = "Bearer realm=\"kimiswarm\""
        case .forbidden: status = .forbidden
        case .notFound: status = .notFound
        case .conflict: status = .conflict
        case .limited(let seconds):
            status = .tooManyRequests
            headers[.retryAfter] = String(Int.clamping(seconds.rounded(.up), to: 1...31_622_400))
        case .unavailable: status = .serviceUnavailable
        case .internalError: status = .internalServerError
        }
        self.init(status: status, type: refusal.type, message: refusal.message, hint: refusal.hint, headers: headers, param: refusal.param)
    }

    static func invalidRequest(_ message: String, hint: String? = nil, param: String? = nil) -> APIError {
        APIError(status: .badRequest, type: "invalid_request", message: message, hint: hint, param: param)
    }

    static func unprocessable(_ message: String, hint: String? = nil, param: String? = nil) -> APIError {
        APIError(status: .unprocessableContent, type: "invalid_request", message: message, hint: hint, param: param)
    }

    static func unauthenticated(_ message: String, hint: String? = nil) -> APIError {
        APIError(
            status: .unauthorized, type: "authentication_error", message: message,
            hint: hint ?? "Send `Authorization: Bearer <API key or token>`.", headers: [.wwwAuthenticate: "Bearer realm=\"kimiswarm\""])
    }

    static func forbidden(_ message: String, hint: String? = nil) -> APIError {
        APIError(status: .forbidden, type: "permission_denied", message: message, hint: hint)
    }

    /// The answer for a missing id and for another tenant's id alike.
    static func notFound(_ what: String, hint: String? = nil) -> APIError {
        APIError(status: .notFound, type: "not_found", message: "\(what) not found", hint: hint)
    }

    static func conflict(_ message: String, hint: String? = nil) -> APIError {
        APIError(status: .conflict, type: "conflict", message: message, hint: hint)
    }

    /// 429 with `Retry-After` (whole seconds, at least 1).
    static func limited(type: String = "rate_limit_exceeded", _ message: String, retryAfter seconds: Double, hint: String? = nil) -> APIError {
        let whole = Int.clamping(seconds.rounded(.up), to: 1...31_622_400)
        return APIError(
            status: .tooManyRequests, type: type, message: message, hint: hint ?? "Retry after \(whole) s.",
            headers: [.retryAfter: String(whole)])
    }

    static func unavailable(_ message: String, hint: String? = nil) -> APIError {
        APIError(status: .serviceUnavailable, type: "unavailable", message: message, hint: hint)
    }

    static func internalError(_ hint: String = "Retry; if it persists, tell the operator the request id.") -> APIError {
        APIError(status: .internalServerError, type: "internal_error", message: "the server failed to answer", hint: hint)
    }
}
