import Foundation
import HTTPTypes
import Hummingbird
import KimiSwarmCore
import NIOCore
import Synchronization

/// What an API call answered: status, and the JSON body (or the error's message and hint).
struct APIReply: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: Data

    var ok: Bool { (200..<300).contains(status.code) }
    var json: JSONValue? { try? JSONValue(parsing: body) }
    /// The body when it is a JSON object, else an empty object.
    var object: JSONValue { json.flatMap { $0.objectValue == nil ? nil : $0 } ?? [:] }
    /// The `data` array of a list answer.
    var list: [JSONValue] { object["data"]?.arrayValue ?? [] }
    var text: String { String(decoding: body, as: UTF8.self) }

    /// The error body's message and hint, for showing next to a form.
    var problem: String {
        let error = object["error"]
        let message = error?["message"]?.stringValue ?? "the request failed (HTTP \(status.code))"
        if let hint = error?["hint"]?.stringValue, !hint.isEmpty { return "\(message). \(hint)" }
        return message
    }
}

/// The dashboard acts through the REST API's own operations, in process: every change a page
/// makes runs the same handler, permission check, validation and quota as the API, so the two
/// can never disagree. The caller is the signed-in user's principal; the page's request went
/// through the dashboard's authentication and the tenant's rate limit once, and its calls
/// here do not go through the router again.
struct DashboardAPI: Sendable {
    let operations: APIOperations

    /// Calls `/api/v1/<path>` (or an absolute path such as `/ready`) as the context's
    /// principal and collects the answer; a refusal becomes the error answer the API sends.
    func call(
        _ method: HTTPRequest.Method, _ path: String, json: JSONValue? = nil, headers: HTTPFields = [:], context: AppRequestContext
    ) async throws -> APIReply {
        let response: Response
        do {
            response = try await send(method, path, json: json, headers: headers, context: context)
        } catch {
            let apiError = ErrorMiddleware.apiError(for: error, logger: context.logger)
            response = ErrorMiddleware.response(for: apiError, requestID: context.requestID, openAIStyle: false)
        }
        let collector = BodyCollector()
        try await response.body.write(collector)
        return APIReply(status: response.status, headers: response.headers, body: collector.data)
    }

    /// Calls and requires success; a failure becomes the same error (status and message).
    func require(_ method: HTTPRequest.Method, _ path: String, json: JSONValue? = nil, context: AppRequestContext) async throws -> APIReply {
        let reply = try await call(method, path, json: json, context: context)
        guard reply.ok else {
            let error = reply.object["error"]
            throw APIError(
                status: reply.status, type: error?["type"]?.stringValue ?? "error", message: error?["message"]?.stringValue ?? "request failed",
                hint: error?["hint"]?.stringValue)
        }
        return reply
    }

    /// The operation's response itself (for streams such as the run's events); a refusal is
    /// thrown.
    func send(
        _ method: HTTPRequest.Method, _ path: String, json: JSONValue? = nil, headers: HTTPFields = [:], context: AppRequestContext
    ) async throws -> Response {
        guard context.principal != nil else { throw APIError.unauthenticated("sign in first") }
        let target = path.hasPrefix("/") ? path : "/api/v1/" + path
        let route = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target
        guard let (handler, parameters) = operations.match(method, route) else { throw APIError.notFound("operation") }
        var fields = headers
        var body = ByteBuffer()
        if let json {
            body = ByteBuffer(bytes: try JSONEncoder.sorted.encode(json))
            fields[.contentType] = "application/json"
        }
        fields[.init("X-Request-ID")!] = context.requestID
        let head = HTTPRequest(method: method, scheme: "http", authority: "localhost", path: target, headerFields: fields)
        var inner = context
        inner.web = nil
        inner.coreContext.parameters = Parameters()
        for (name, value) in parameters { inner.coreContext.parameters.append(key: name, value: value) }
        return try await handler(Request(head: head, body: RequestBody(buffer: body)), inner)
    }
}

extension JSONValue {
    /// The value as a page shows it: a string as is, a number or boolean as written, `nil`
    /// for `null`.
    var displayText: String? {
        switch self {
        case .null: nil
        case .string(let text): text
        case .int(let value): "\(value)"
        case .double(let value): "\(value)"
        case .bool(let value): "\(value)"
        case .array, .object: canonicalText
        }
    }
}

/// Collects a response body in memory (API answers the dashboard reads are small).
private final class BodyCollector: ResponseBodyWriter, @unchecked Sendable {
    // Only used by one task at a time: the body writes into it, then the caller reads it.
    private(set) var data = Data()

    func write(_ buffer: ByteBuffer) async throws {
        guard data.count + buffer.readableBytes <= 16 << 20 else { throw APIError.internalError() }
        data.append(contentsOf: buffer.readableBytesView)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
