import AsyncHTTPClient
public import Foundation
public import KimiSwarmCore
import NIOCore
public import NIOHTTP1
import NIOPosix

/// Turns provider HTTP statuses, error bodies and transport failures into ``KimiSwarmError``s.
///
/// Understands the error bodies of OpenAI (`{"error": {"message", "type", "code"}}`), vLLM
/// and Ollama (`{"error": "..."}`, `{"object": "error", ...}`), Azure content filters and
/// Anthropic (`{"type": "error", "error": {"type", "message"}}`).
public enum ProviderErrorMapper {
    /// What a provider's error body says, as far as it can be read.
    struct UpstreamError {
        var type: String?
        var code: String?
        var message: String?

        var identifiers: [String] { [code, type].compactMap { $0?.lowercased() } }
    }

    /// Maps a non-2xx response.
    public static func map(
        status: Int,
        headers: HTTPHeaders,
        body: [UInt8],
        provider: ProviderConfiguration,
        now: Date = Date()
    ) -> KimiSwarmError {
        let upstream = parseBody(body)
        let retryAfter = RetryAfter.parse(headers, now: now)
        let requestID = headers.first(name: "x-request-id") ?? headers.first(name: "request-id")
            ?? headers.first(name: "apim-request-id")
        var error = classify(status: status, upstream: upstream, provider: provider)
        error.provider = provider.id
        error.httpStatus = status
        error.retryAfter = retryAfter
        error.upstreamCode = upstream.code ?? upstream.type
        error.upstreamRequestID = requestID
        error.upstreamMessage = upstream.message
        return error
    }

    /// Maps an error event inside a stream (OpenAI `data: {"error": ...}`, Anthropic `event: error`).
    public static func mapStreamError(_ json: JSONValue, provider: ProviderConfiguration) -> KimiSwarmError {
        let upstream = upstreamError(from: json)
        let status: Int
        switch upstream.identifiers.first ?? "" {
        case "overloaded_error": status = 529
        case "rate_limit_error", "rate_limit_exceeded": status = 429
        case "invalid_request_error": status = 400
        default: status = 500
        }
        var error = classify(status: status, upstream: upstream, provider: provider)
        error.provider = provider.id
        error.upstreamCode = upstream.code ?? upstream.type
        error.upstreamMessage = upstream.message
        error.message = "the provider reported an error mid-stream: " + error.message
        return error
    }

    static func classify(status: Int, upstream: UpstreamError, provider: ProviderConfiguration) -> KimiSwarmError {
        let ids = upstream.identifiers
        let lowerMessage = upstream.message?.lowercased() ?? ""
        let keyHint = keyHint(provider)

        if ids.contains(where: { ["context_length_exceeded", "string_above_max_length", "request_too_large"].contains($0) })
            || (status == 400 || status == 413)
                && ["context length", "context window", "maximum context", "prompt is too long", "too many tokens", "input is too long"]
                .contains(where: lowerMessage.contains)
        {
            return KimiSwarmError(
                category: .contextTooLong, message: "the input does not fit the model's context window",
                recoveryHint: "Shorten the conversation, lower max_tokens, or use a model with a larger window (kimi-k2.6 has 256K).")
        }
        if ids.contains(where: { ["content_filter", "content_policy_violation", "responsibleaipolicyviolation"].contains($0) }) {
            return KimiSwarmError(
                category: .contentFilter, message: "the provider's content filter refused the request",
                recoveryHint: "Rephrase the input; the provider will refuse it again as it is.")
        }
        switch status {
        case 401:
            return KimiSwarmError(
                category: .auth, message: "the provider rejected the API key", recoveryHint: keyHint)
        case 403:
            return KimiSwarmError(
                category: .auth, message: "the API key lacks permission for this request",
                recoveryHint: "Check that the key's project or plan may use this model. " + keyHint)
        case 404:
            return KimiSwarmError(
                category: .invalidRequest, message: "the model or endpoint was not found",
                recoveryHint: "Check the model id (`swarm models --provider \(provider.id)` lists known ones) and the base URL.")
        case 408:
            return KimiSwarmError(
                category: .timeout, message: "the provider timed out waiting for the request",
                recoveryHint: "Retry; check the network if it repeats.")
        case 409, 425:
            return KimiSwarmError(
                category: .provider, message: "the provider reported a conflict (HTTP \(status))", recoveryHint: "Retry shortly.",
                isRetryable: true)
        case 429:
            if ids.contains(where: { ["insufficient_quota", "billing_hard_limit_reached", "exceeded_current_quota_error"].contains($0) })
                || lowerMessage.contains("quota") && lowerMessage.contains("exceeded") && lowerMessage.contains("billing")
            {
                return KimiSwarmError(
                    category: .rateLimit, message: "the account's quota or credit is used up",
                    recoveryHint: "Add credit or raise the quota in the provider's console; retrying will not help.",
                    severity: .critical, isRetryable: false)
            }
            return KimiSwarmError(
                category: .rateLimit, message: "the provider is rate limiting requests",
                recoveryHint: "Slow down or lower concurrency to match the account's tier; retry after the delay.")
        case 400, 422:
            return KimiSwarmError(
                category: .invalidRequest, message: "the provider rejected the request as invalid",
                recoveryHint: "Check the request's parameters; sending it again unchanged will fail the same way.")
        case 413:
            return KimiSwarmError(
                category: .contextTooLong, message: "the request is too large for the provider",
                recoveryHint: "Send less input or fewer images.")
        case 529:
            return KimiSwarmError(
                category: .provider, message: "the provider is overloaded", recoveryHint: "Retry after a short wait, or fall back to another provider.")
        case 500...599:
            return KimiSwarmError(
                category: .provider, message: "the provider failed with a server error (HTTP \(status))",
                recoveryHint: "Retry; fall back to another provider if it persists.")
        default:
            return KimiSwarmError(
                category: .provider, message: "the provider answered with unexpected HTTP status \(status)",
                recoveryHint: "Check the base URL points at the provider's API.", isRetryable: false)
        }
    }

    static func keyHint(_ provider: ProviderConfiguration) -> String {
        if let variable = provider.apiKeyVariable {
            return "Check the key in \(variable) (or the provider's api_key_env in the config file)."
        }
        return "Check the API key configured for provider '\(provider.id)'."
    }

    static func parseBody(_ body: [UInt8]) -> UpstreamError {
        guard !body.isEmpty, let json = try? JSONValue(parsing: Data(body)) else {
            let text = String(decoding: body.prefix(500), as: UTF8.self)
            return UpstreamError(message: text.isEmpty ? nil : text)
        }
        return upstreamError(from: json)
    }

    static func upstreamError(from json: JSONValue) -> UpstreamError {
        func text(_ value: JSONValue?) -> String? {
            if let string = value?.stringValue { return string }
            if let int = value?.intValue { return String(int) }
            return nil
        }
        if let error = json["error"] {
            if let message = error.stringValue { return UpstreamError(message: message) }
            var result = UpstreamError(type: text(error["type"]), code: text(error["code"]), message: text(error["message"]))
            if let inner = error["innererror"]?["code"]?.stringValue, result.code == nil { result.code = inner }
            return result
        }
        return UpstreamError(type: text(json["type"]), code: text(json["code"]), message: text(json["message"]) ?? text(json["detail"]))
    }

    /// Maps a failure to connect, send or receive. `CancellationError` passes through unchanged.
    public static func mapTransport(_ error: any Error, provider: ProviderConfiguration, phase: String) -> any Error {
        if error is CancellationError { return error }
        if let error = error as? KimiSwarmError { return error }
        let endpoint = "the \(provider.id) endpoint"
        if let error = error as? HTTPClientError {
            switch error {
            case .cancelled:
                return CancellationError()
            case .deadlineExceeded, .readTimeout:
                return KimiSwarmError(
                    category: .timeout, message: "no answer from \(endpoint) in time (\(phase))",
                    recoveryHint: "Retry, or raise the provider's timeout in the config file.", provider: provider.id)
            case .connectTimeout, .socksHandshakeTimeout, .tlsHandshakeTimeout, .httpProxyHandshakeTimeout:
                return KimiSwarmError(
                    category: .timeout, message: "could not connect to \(endpoint) in time",
                    recoveryHint: "Check that the base URL is reachable.", provider: provider.id)
            case .remoteConnectionClosed, .bodyLengthMismatch:
                return KimiSwarmError(
                    category: .network, message: "\(endpoint) closed the connection (\(phase))",
                    recoveryHint: "Retry; this is usually transient.", provider: provider.id)
            case .invalidURL, .emptyHost, .emptyScheme:
                return KimiSwarmError(
                    category: .configuration, message: "the base URL of provider '\(provider.id)' is not a valid http(s) URL",
                    recoveryHint: "Fix the base URL in the config file or its *_BASE_URL variable.", provider: provider.id)
            default:
                break
            }
        }
        let kind = String(describing: type(of: error))
        if kind.contains("SSL") || kind.contains("TLS") {
            return KimiSwarmError(
                category: .network, message: "TLS with \(endpoint) failed (\(kind))",
                recoveryHint: "Check the base URL's scheme and certificate.", isRetryable: false, provider: provider.id)
        }
        let refused = isConnectionRefused(error)
        return KimiSwarmError(
            category: .network,
            message: refused ? "\(endpoint) refused the connection" : "the connection to \(endpoint) failed (\(kind), \(phase))",
            recoveryHint: refused ? "Check that the server at the base URL is running." : "Retry; check the network if it repeats.",
            provider: provider.id, reason: refused ? .connectionRefused : nil)
    }

    /// Whether a transport error says that nothing listens at the address (`ECONNREFUSED`).
    static func isConnectionRefused(_ error: any Error) -> Bool {
        if let error = error as? IOError { return error.errnoCode == ECONNREFUSED }
        if let error = error as? NIOConnectionError {
            return !error.connectionErrors.isEmpty && error.connectionErrors.allSatisfy { isConnectionRefused($0.error) }
        }
        return String(describing: error).lowercased().contains("connection refused")
    }

    /// A 2xx body that could not be read.
    public static func malformed(_ what: String, provider: ProviderConfiguration) -> KimiSwarmError {
        KimiSwarmError(
            category: .provider, message: "the provider sent a malformed \(what)",
            recoveryHint: "Retry; if it repeats, check that the base URL points at a compatible API.", isRetryable: true,
            provider: provider.id)
    }

    /// A stream that ended before its end marker.
    public static func streamCut(provider: ProviderConfiguration) -> KimiSwarmError {
        KimiSwarmError(
            category: .network, message: "the stream was cut before it finished",
            recoveryHint: "Retry the request; the partial answer was discarded.", provider: provider.id)
    }
}
