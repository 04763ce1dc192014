import NIOCore
import NIOHTTP1

/// An answer the server gives on its own, below the router, before closing the connection:
/// to a request that could not be parsed, that took too long to arrive, or that came over the
/// connection cap. It is written as raw bytes straight to the socket (the HTTP encoder may be
/// in any state by then), with `Connection: close` and a JSON error body shaped like the
/// API's.
struct HTTPRejection: Sendable, Equatable, CustomStringConvertible {
    let status: Int
    let reason: String
    let type: String
    let message: String
    let hint: String

    static let badRequest = HTTPRejection(
        status: 400, reason: "Bad Request", type: "invalid_request", message: "the request is not valid HTTP/1.1",
        hint: "Send an HTTP/1.1 request (this port speaks plain HTTP, not TLS).")
    static let requestTimeout = HTTPRejection(
        status: 408, reason: "Request Timeout", type: "request_timeout", message: "the request did not arrive in time",
        hint: "Send the whole request within server.request_timeout.")
    static let uriTooLong = HTTPRejection(
        status: 414, reason: "URI Too Long", type: "invalid_request", message: "the request line is too long",
        hint: "Send a shorter URL; put large inputs in the body.")
    static let headersTooLarge = HTTPRejection(
        status: 431, reason: "Request Header Fields Too Large", type: "invalid_request", message: "the request headers are too large",
        hint: "Send fewer or smaller headers.")
    static let versionNotSupported = HTTPRejection(
        status: 505, reason: "HTTP Version Not Supported", type: "invalid_request", message: "the HTTP version is not supported",
        hint: "Use HTTP/1.1.")
    static let overCapacity = HTTPRejection(
        status: 503, reason: "Service Unavailable", type: "unavailable", message: "the server has too many open connections",
        hint: "Retry shortly (server.max_connections).")

    var description: String { "\(status) \(reason)" }

    /// The rejection for a parse error of the HTTP decoder; `requestLineTooLong` tells a header
    /// overflow in the request line (414) from one in the headers (431).
    static func forParseError(_ error: HTTPParserError, requestLineTooLong: Bool) -> HTTPRejection {
        switch error {
        case .headerOverflow: return requestLineTooLong ? .uriTooLong : .headersTooLarge
        case .invalidVersion: return .versionNotSupported
        default: return .badRequest
        }
    }

    /// The whole response: status line, headers and body.
    var bytes: ByteBuffer {
        let body = #"{"error":{"type":"\#(type)","message":"\#(message)","hint":"\#(hint)"}}"#
        var headers = "HTTP/1.1 \(status) \(reason)\r\nContent-Type: application/json; charset=utf-8\r\n"
        headers += "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n"
        if status == 503 { headers += "Retry-After: 1\r\n" }
        return ByteBuffer(string: headers + "\r\n" + body)
    }
}
