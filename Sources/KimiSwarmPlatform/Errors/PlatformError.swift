import KimiSwarmCore

/// Every refusal the platform gives, whatever surface asked (REST, the gateway, the dashboard,
/// the command line): what kind of refusal it is, a stable machine-readable type, a message that
/// says what was wrong and a hint on how to fix it. The HTTP module maps ``Kind`` to a status;
/// nothing here knows about HTTP. Messages never contain secrets.
public struct PlatformError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The request is malformed (400).
        case invalid
        /// The request is well-formed but its values are not acceptable (422).
        case unprocessable
        case unauthenticated
        case forbidden
        /// A missing id and another tenant's id alike.
        case notFound
        case conflict
        /// A rate or quota: retry after this many seconds (at least 1).
        case limited(retryAfter: Double)
        case unavailable
        case internalError
    }

    public var kind: Kind
    /// `invalid_request`, `quota_exceeded`, `rate_limit_exceeded`, `not_found`, …
    public var type: String
    public var message: String
    public var hint: String?
    /// The offending field (`budgets.max_cost_usd`, `graph`).
    public var param: String?

    public init(_ kind: Kind, type: String, message: String, hint: String? = nil, param: String? = nil) {
        self.kind = kind
        self.type = type
        self.message = message
        self.hint = hint
        self.param = param
    }

    public var description: String { "\(type): \(message)" }

    public static func invalidRequest(_ message: String, hint: String? = nil, param: String? = nil) -> PlatformError {
        PlatformError(.invalid, type: "invalid_request", message: message, hint: hint, param: param)
    }

    public static func unprocessable(_ message: String, hint: String? = nil, param: String? = nil) -> PlatformError {
        PlatformError(.unprocessable, type: "invalid_request", message: message, hint: hint, param: param)
    }

    public static func notFound(_ what: String, hint: String? = nil) -> PlatformError {
        PlatformError(.notFound, type: "not_found", message: "\(what) not found", hint: hint)
    }

    public static func conflict(_ message: String, hint: String? = nil) -> PlatformError {
        PlatformError(.conflict, type: "conflict", message: message, hint: hint)
    }

    /// A rate or quota refusal; `Retry-After` is `seconds` rounded up (at least 1).
    public static func limited(type: String = "rate_limit_exceeded", _ message: String, retryAfter seconds: Double, hint: String? = nil)
        -> PlatformError
    {
        let whole = Int.clamping(seconds.rounded(.up), to: 1...31_622_400)
        return PlatformError(.limited(retryAfter: Double(whole)), type: type, message: message, hint: hint ?? "Retry after \(whole) s.")
    }

    public static func unavailable(_ message: String, hint: String? = nil) -> PlatformError {
        PlatformError(.unavailable, type: "unavailable", message: message, hint: hint)
    }
}
