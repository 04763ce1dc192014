import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// The router's responder, known once every route is registered. The dashboard needs it to
/// call the API, and the dashboard's own routes are part of the same router.
final class ResponderBox: Sendable {
    private let responder = Mutex<RouterResponder<AppRequestContext>?>(nil)

    func set(_ value: RouterResponder<AppRequestContext>) { responder.withLock { $0 = value } }

    var value: RouterResponder<AppRequestContext> {
        get throws {
            guard let value = responder.withLock({ $0 }) else { throw APIError.unavailable("the server is starting", hint: "Retry.") }
            return value
        }
    }
}

/// What an API call answered: status, and the JSON body (or the error's message and hint).
struct APIReply: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: Data

    var ok: Bool { (200..<300).contains(status.code) }
    var json: Any? { try? JSONSerialization.jsonObject(with: body) }
    var object: [String: Any] { json as? [String: Any] ?? [:] }
    /// The `data` array of a list answer.
    var list: [[String: Any]] { object["data"] as? [[String: Any]] ?? [] }
    var text: String { String(decoding: body, as: UTF8.self) }

    /// The error body's message and hint, for showing next to a form.
    var problem: String {
        let error = object["error"] as? [String: Any]
        let message = error?["message"] as? String ?? "the request failed (HTTP \(status.code))"
        if let hint = error?["hint"] as? String, !hint.isEmpty { return "\(message). \(hint)" }
        return message
    }
}

/// The dashboard acts through the REST API, in process: every change a page makes goes
/// through the same route, permission check, validation and quota as the API, so the two can
/// never disagree. The caller is the signed-in user's principal.
struct DashboardAPI: Sendable {
    let responder: ResponderBox

    /// Calls `/api/v1/<path>` (or an absolute path such as `/ready`) as the context's
    /// principal and collects the answer.
    func call(
        _ method: HTTPRequest.Method, _ path: String, json: Any? = nil, headers: HTTPFields = [:], context: AppRequestContext
    ) async throws -> APIReply {
        let response = try await send(method, path, json: json, headers: headers, context: context)
        let collector = BodyCollector()
        try await response.body.write(collector)
        return APIReply(status: response.status, headers: response.headers, body: collector.data)
    }

    /// Calls and requires success; a failure becomes the same error (status and message).
    func require(_ method: HTTPRequest.Method, _ path: String, json: Any? = nil, context: AppRequestContext) async throws -> APIReply {
        let reply = try await call(method, path, json: json, context: context)
        guard reply.ok else {
            let error = reply.object["error"] as? [String: Any]
            throw APIError(
                status: reply.status, type: error?["type"] as? String ?? "error", message: error?["message"] as? String ?? "request failed",
                hint: error?["hint"] as? String)
        }
        return reply
    }

    /// The API's response itself (for streams such as the run's events).
    func send(
        _ method: HTTPRequest.Method, _ path: String, json: Any? = nil, headers: HTTPFields = [:], context: AppRequestContext
    ) async throws -> Response {
        guard context.principal != nil else { throw APIError.unauthenticated("sign in first") }
        var fields = headers
        var body = ByteBuffer()
        if let json {
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .withoutEscapingSlashes]))
            fields[.contentType] = "application/json"
        }
        fields[.init("X-Request-ID")!] = context.requestID
        let head = HTTPRequest(method: method, scheme: "http", authority: "localhost", path: path.hasPrefix("/") ? path : "/api/v1/" + path, headerFields: fields)
        var inner = context
        inner.web = nil
        inner.viaDashboard = true
        return try await responder.value.respond(to: Request(head: head, body: RequestBody(buffer: body)), context: inner)
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
