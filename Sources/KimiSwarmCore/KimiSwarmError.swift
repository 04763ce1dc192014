/// The one error type of KimiSwarm.
///
/// Every failure, whether a provider's HTTP status, a dropped connection, a malformed body
/// or a bad setting, becomes a `KimiSwarmError` with a ``Category``, a ``Severity``, whether
/// it is worth retrying, and a hint that says what to do about it.
///
/// Descriptions never contain a prompt, a key or a credential: the message is written by
/// KimiSwarm, not copied from the request. The provider's own error text, which can echo
/// parts of the request, is kept apart in ``upstreamMessage`` and is never part of
/// ``description`` or ``jsonValue``.
public struct KimiSwarmError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Category: String, Codable, Sendable, Hashable, CaseIterable {
        /// The key or token was missing, wrong, or lacks permission (401, 403).
        case auth
        /// Too many requests, or the account's quota is spent (429).
        case rateLimit = "rate_limit"
        /// No answer in time (408, client deadlines).
        case timeout
        /// The connection failed, was reset, or the stream was cut.
        case network
        /// The provider failed (5xx, overloaded, malformed body).
        case provider
        /// The request was wrong (400, 404, 422); sending it again will not help.
        case invalidRequest = "invalid_request"
        /// The input does not fit the model's context window.
        case contextTooLong = "context_too_long"
        /// The provider's content filter refused the input or output.
        case contentFilter = "content_filter"
        /// A setting is missing or invalid.
        case configuration
        /// A token, cost or time budget would be exceeded.
        case budget
        /// A bug in KimiSwarm.
        case `internal`

        /// Whether errors of this category are usually transient.
        public var isRetryableByDefault: Bool {
            switch self {
            case .rateLimit, .timeout, .network, .provider: return true
            default: return false
            }
        }
    }

    /// How bad it is.
    public enum Severity: String, Codable, Sendable, Hashable, Comparable, CaseIterable {
        /// Expected and handled, e.g. a retried rate limit.
        case low
        /// Needs attention if it repeats.
        case medium
        /// The operation failed.
        case high
        /// The system cannot work until someone acts (bad credentials, broken configuration, bugs).
        case critical

        private var rank: Int {
            switch self {
            case .low: 0
            case .medium: 1
            case .high: 2
            case .critical: 3
            }
        }

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    /// What kind of failure this is.
    public var category: Category
    /// How bad it is.
    public var severity: Severity
    /// Whether sending the same request again may succeed.
    public var isRetryable: Bool
    /// What happened, written by KimiSwarm; free of request content and secrets.
    public var message: String
    /// What to do about it.
    public var recoveryHint: String?
    /// The provider involved, where there is one.
    public var provider: ProviderID?
    /// The HTTP status the provider answered with, where there is one.
    public var httpStatus: Int?
    /// How long the provider asked us to wait (`Retry-After`), where given.
    public var retryAfter: Duration?
    /// The provider's machine-readable error type or code (`rate_limit_error`, `context_length_exceeded`, ...).
    public var upstreamCode: String?
    /// The provider's request id (`x-request-id`, `request-id`), for support tickets.
    public var upstreamRequestID: String?
    /// KimiSwarm's own machine-readable reason, for failures that KimiSwarm decides rather
    /// than the provider (an open circuit, a full bulkhead, a spent retry budget).
    public var reason: Reason?
    /// The provider's own error message. It may echo parts of the request, so it is not
    /// part of ``description`` or ``jsonValue``; show it only to the request's owner.
    public var upstreamMessage: String?
    /// How many attempts the call made before this error was returned, where the retry layer
    /// saw it (the message then says why it stopped).
    public var attempts: Int?

    /// Creates an error. `severity` and `isRetryable` default from the category.
    public init(
        category: Category,
        message: String,
        recoveryHint: String? = nil,
        severity: Severity? = nil,
        isRetryable: Bool? = nil,
        provider: ProviderID? = nil,
        httpStatus: Int? = nil,
        retryAfter: Duration? = nil,
        upstreamCode: String? = nil,
        upstreamRequestID: String? = nil,
        upstreamMessage: String? = nil,
        reason: Reason? = nil,
        attempts: Int? = nil
    ) {
        self.category = category
        self.message = message
        self.recoveryHint = recoveryHint
        self.severity = severity ?? Self.defaultSeverity(for: category)
        self.isRetryable = isRetryable ?? category.isRetryableByDefault
        self.provider = provider
        self.httpStatus = httpStatus
        self.retryAfter = retryAfter
        self.upstreamCode = upstreamCode
        self.upstreamRequestID = upstreamRequestID
        self.upstreamMessage = upstreamMessage
        self.reason = reason
        self.attempts = attempts
    }

    static func defaultSeverity(for category: Category) -> Severity {
        switch category {
        case .rateLimit, .timeout, .network: return .medium
        case .provider, .invalidRequest, .contextTooLong, .contentFilter, .budget: return .high
        case .auth, .configuration, .internal: return .critical
        }
    }

    /// One line: provider, category, status, message, hint.
    public var description: String {
        var text = ""
        if let provider { text += "[\(provider)] " }
        text += category.rawValue
        if let httpStatus { text += " (HTTP \(httpStatus))" }
        text += ": \(message)"
        if let reason { text += " [\(reason)]" }
        if let upstreamCode { text += " [\(upstreamCode)]" }
        if let retryAfter { text += " (retry after \(Self.format(retryAfter)))" }
        if let recoveryHint { text += ". Hint: \(recoveryHint)" }
        return text
    }

    /// A JSON form for structured logs. Never includes ``upstreamMessage``.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "category": .string(category.rawValue),
            "severity": .string(severity.rawValue),
            "retryable": .bool(isRetryable),
            "message": .string(message),
        ]
        if let recoveryHint { object["hint"] = .string(recoveryHint) }
        if let provider { object["provider"] = .string(provider.rawValue) }
        if let httpStatus { object["http_status"] = .int(httpStatus) }
        if let retryAfter { object["retry_after_seconds"] = .double(Self.seconds(retryAfter)) }
        if let reason { object["reason"] = .string(reason.rawValue) }
        if let attempts { object["attempts"] = .int(attempts) }
        if let upstreamCode { object["upstream_code"] = .string(upstreamCode) }
        if let upstreamRequestID { object["upstream_request_id"] = .string(upstreamRequestID) }
        return .object(object)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    static func format(_ duration: Duration) -> String {
        let seconds = seconds(duration)
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds == seconds.rounded() { return "\(Int(seconds)) s" }
        return "\((seconds * 10).rounded() / 10) s"
    }
}

extension KimiSwarmError {
    /// A machine-readable reason for failures that KimiSwarm decides itself.
    public struct Reason: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The circuit of the provider and model is open; calls fail fast until it half-opens.
        public static let circuitOpen = Reason(rawValue: "circuit_open")
        /// No slot of the provider's concurrency limit came free in time.
        public static let bulkheadTimeout = Reason(rawValue: "bulkhead_timeout")
        /// The client-side rate limit (requests or tokens per minute) had no capacity in time.
        public static let rateLimitTimeout = Reason(rawValue: "rate_limit_timeout")
        /// The client's retry budget is spent; the error is returned without retrying.
        public static let retryBudgetExhausted = Reason(rawValue: "retry_budget_exhausted")
        /// The provider asked to wait (`Retry-After`) longer than `retry.max_retry_after`; the
        /// error is returned without retrying.
        public static let retryAfterTooLong = Reason(rawValue: "retry_after_too_long")
        /// The wait before the next attempt would end past the call's deadline (the provider's
        /// `request_timeout` from the call's start); the error is returned without retrying.
        public static let retryPastDeadline = Reason(rawValue: "retry_past_deadline")
        /// Nothing listens at the provider's address (the connection was refused).
        public static let connectionRefused = Reason(rawValue: "connection_refused")
        /// Every model of the router's fallback chain failed.
        public static let fallbacksExhausted = Reason(rawValue: "fallbacks_exhausted")
        /// A budget (tokens, cost, time) would be exceeded.
        public static let budgetExceeded = Reason(rawValue: "budget_exceeded")
    }

    /// A setting is missing or invalid.
    public static func configuration(_ message: String, hint: String? = nil) -> KimiSwarmError {
        KimiSwarmError(category: .configuration, message: message, recoveryHint: hint)
    }

    /// An invalid request, found before anything was sent.
    public static func invalidRequest(_ message: String, hint: String? = nil, provider: ProviderID? = nil) -> KimiSwarmError {
        KimiSwarmError(category: .invalidRequest, message: message, recoveryHint: hint, provider: provider)
    }

    /// A bug: something that should not happen did.
    public static func `internal`(_ message: String) -> KimiSwarmError {
        KimiSwarmError(
            category: .internal, message: message,
            recoveryHint: "This is a bug in KimiSwarm; please report it with the log line.")
    }
}
