import Foundation
import HTTPTypes
public import Hummingbird
import KimiSwarmCore
import KimiSwarmPlatform
import KimiSwarmStore
import Logging
import NIOCore

/// The outermost middleware: gives every request an id, turns every error into the one
/// error body (`{"error": {"type", "message", "hint", "request_id"}}`) with the right status,
/// and adds the security headers to every response. Unknown errors become a 500 whose body
/// says nothing of the cause (the log has it, under the request id).
public struct ErrorMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let bodyLimit: Int

    /// `bodyLimit`: the largest request body routes read, in bytes.
    public init(bodyLimit: Int = 4 << 20) { self.bodyLimit = bodyLimit }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.bodyLimit = bodyLimit
        context.requestID = Self.requestID(from: request)
        context.logger[metadataKey: "request_id"] = .string(context.requestID)
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let apiError = Self.apiError(for: error, logger: context.logger)
            response = Self.response(for: apiError, requestID: context.requestID, openAIStyle: request.uri.path.hasPrefix("/v1/"))
        }
        response.headers[.init("X-Request-ID")!] = context.requestID
        SecurityHeaders.apply(to: &response.headers)
        return response
    }

    /// The client's `X-Request-ID` when it is short and plain, else a fresh one.
    static func requestID(from request: Request) -> String {
        if let given = request.headers[.init("X-Request-ID")!], (1...64).contains(given.utf8.count),
            given.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) })
        {
            return given
        }
        return "req_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
    }

    /// The API error for anything thrown by a route.
    static func apiError(for error: any Error, logger: Logger) -> APIError {
        switch error {
        case let refusal as PlatformError:
            return APIError(refusal)
        case let error as APIError:
            return error
        case let error as HTTPError:
            return httpError(error)
        case let error as StoreError:
            if error.isNotFound { return APIError(status: .notFound, type: "not_found", message: error.description.replacingOccurrences(of: "store: ", with: "")) }
            if error.isConflict { return .conflict(error.description.replacingOccurrences(of: "store: ", with: "")) }
            if error.isMasterKeyProblem {
                return .unavailable(
                    "provider credentials are not available on this server",
                    hint: "The operator must set KIMISWARM_MASTER_KEY (or KIMISWARM_MASTER_KEY_FILE) on every replica.")
            }
            logger.error("store error", metadata: ["error": "\(error)"])
            return .unavailable("the database did not answer", hint: "Retry shortly; /ready shows the database's state.")
        case let error as DecodingError:
            return decodingError(error)
        case is NIOTooManyBytesError:
            return httpError(HTTPError(.contentTooLarge))
        case let error as KimiSwarmError:
            return upstreamError(error)
        case is CancellationError:
            return APIError(status: .serviceUnavailable, type: "unavailable", message: "the request was cancelled (the server is shutting down)", hint: "Retry.")
        default:
            logger.error("unhandled error", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            return .internalError()
        }
    }

    static func httpError(_ error: HTTPError) -> APIError {
        switch error.status {
        case .notFound:
            return APIError(status: .notFound, type: "not_found", message: "no such route", hint: "See /openapi.json for the routes.")
        case .contentTooLarge:
            return APIError(
                status: .contentTooLarge, type: "payload_too_large", message: "the request body is larger than the server accepts",
                hint: "Send a smaller body (the limit is server.max_body_bytes).")
        case .methodNotAllowed:
            return APIError(status: .methodNotAllowed, type: "invalid_request", message: "this route does not take that method", hint: "See /openapi.json.")
        default:
            // Hummingbird's own messages are plain and safe ("Invalid URL", "Unexpected end of body").
            return APIError(status: error.status, type: error.status.code >= 500 ? "internal_error" : "invalid_request", message: error.body ?? error.status.reasonPhrase)
        }
    }

    static func decodingError(_ error: DecodingError) -> APIError {
        func path(_ context: DecodingError.Context) -> String {
            let parts = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return parts.isEmpty ? "the body" : parts.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = (context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")
            return .invalidRequest("the field `\(field)` is required", hint: "Add `\(field)` to the JSON body.", param: field)
        case .typeMismatch(let type, let context):
            return .invalidRequest("`\(path(context))` has the wrong type (expected \(describe(type)))", hint: "Fix that field.", param: path(context))
        case .valueNotFound(let type, let context):
            return .invalidRequest("`\(path(context))` is null (expected \(describe(type)))", hint: "Give it a value or leave it out.", param: path(context))
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return .invalidRequest("the body is not valid JSON", hint: "Send a JSON object with `Content-Type: application/json`.")
            }
            return .invalidRequest("`\(path(context))` is invalid: \(context.debugDescription)", hint: "Fix that field.", param: path(context))
        @unknown default:
            return .invalidRequest("the body could not be read", hint: "Send a JSON object.")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Int64.Type: return "an integer"
        case is Double.Type, is Decimal.Type: return "a number"
        case is Bool.Type: return "true or false"
        default: return "\(type)".contains("Array") ? "an array" : "an object"
        }
    }

    /// A provider's failure, as the gateway and run routes show it: the category decides the
    /// status; the provider's own words are not relayed (they may echo the request).
    static func upstreamError(_ error: KimiSwarmError) -> APIError {
        let hint = error.recoveryHint
        switch error.category {
        case .invalidRequest, .contextTooLong, .contentFilter:
            return APIError(status: .badRequest, type: "invalid_request", message: error.message, hint: hint)
        case .rateLimit:
            // KimiSwarm's own message (never the provider's text): it says after how many
            // attempts the client gave up and why; `Retry-After` is the provider's wait, rounded up.
            let retryAfter = error.retryAfter.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 } ?? 1
            return .limited(error.message, retryAfter: retryAfter, hint: hint)
        case .budget:
            return APIError(status: .tooManyRequests, type: "quota_exceeded", message: error.message, hint: hint)
        case .timeout:
            return APIError(status: .gatewayTimeout, type: "upstream_error", message: "the upstream provider did not answer in time", hint: hint)
        case .auth:
            return APIError(status: .badGateway, type: "upstream_error", message: "the upstream provider refused the server's credentials", hint: "The operator must check the provider key.")
        case .network, .provider:
            return APIError(status: .badGateway, type: "upstream_error", message: "the upstream provider failed", hint: hint ?? "Retry shortly.")
        case .configuration:
            return APIError(status: .serviceUnavailable, type: "unavailable", message: error.message, hint: hint)
        case .internal:
            return .internalError()
        }
    }

    /// The error response. Gateway routes (`/v1/...`) use OpenAI's shape, which also carries
    /// `type` and `message`, so that OpenAI SDKs show the message.
    static func response(for error: APIError, requestID: String, openAIStyle: Bool) -> Response {
        var body: [String: JSONValue] = [
            "type": .string(error.type), "message": .string(error.message), "request_id": .string(requestID),
            "hint": error.hint.map(JSONValue.string) ?? .null,
        ]
        if openAIStyle {
            body["param"] = error.param.map(JSONValue.string) ?? .null
            body["code"] = .string(error.type)
        }
        let data = (try? JSONEncoder.sorted.encode(JSONValue.object(["error": .object(body)]))) ?? Data("{}".utf8)
        var headers = error.headers
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Headers every response carries.
enum SecurityHeaders {
    static func apply(to headers: inout HTTPFields) {
        headers[.init("X-Content-Type-Options")!] = "nosniff"
        headers[.init("X-Frame-Options")!] = "DENY"
        headers[.init("Referrer-Policy")!] = "no-referrer"
        if headers[.init("Content-Security-Policy")!] == nil {
            headers[.init("Content-Security-Policy")!] = "default-src 'none'; frame-ancestors 'none'"
        }
        if headers[.cacheControl] == nil { headers[.cacheControl] = "no-store" }
    }
}
