import Foundation
import Hummingbird
import KimiSwarmCore
import NIOCore

/// Reads JSON request bodies strictly: within the size limit, at most ``maxDepth`` levels of
/// nesting, an object at the top, and only the fields the route allows (so a body cannot set
/// what the caller may not, such as a tenant, a role or a plan).
enum JSONBody {
    static let maxDepth = 32

    /// The raw body, within the context's limit (413 beyond it).
    static func bytes(_ request: Request, context: AppRequestContext) async throws -> ByteBuffer {
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw APIError(
                status: .unsupportedMediaType, type: "unsupported_media_type", message: "the body must be JSON",
                hint: "Send `Content-Type: application/json`.")
        }
        return try await request.body.collect(upTo: context.maxUploadSize)
    }

    /// Decodes `T` from the body after checking depth and allowed keys.
    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer, allowedKeys: Set<String>) throws -> T {
        let data = Data(buffer.readableBytesView)
        if data.isEmpty { throw APIError.invalidRequest("the body is empty", hint: "Send a JSON object.") }
        try checkDepth(data)
        let object: [String: JSONValue]
        do {
            guard case .object(let value) = try JSONDecoder().decode(JSONValue.self, from: data) else {
                throw APIError.invalidRequest("the body must be a JSON object", hint: "Send `{...}`.")
            }
            object = value
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.invalidRequest("the body is not valid JSON", hint: "Check the syntax (quotes, commas, brackets).")
        }
        let unknown = Set(object.keys).subtracting(allowedKeys).sorted()
        if let first = unknown.first {
            throw APIError.unprocessable(
                "unknown field `\(first)`\(unknown.count > 1 ? " (and \(unknown.count - 1) more)" : "")",
                hint: "Allowed fields: \(allowedKeys.sorted().joined(separator: ", ")).", param: first)
        }
        return try JSONDecoder().decode(T.self, from: data)
    }

    /// Refuses nesting deeper than ``maxDepth`` before any parser sees the body.
    static func checkDepth(_ data: Data) throws {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in data {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth > maxDepth {
                    throw APIError.invalidRequest("the JSON is nested more than \(maxDepth) levels deep", hint: "Flatten the body.")
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default: break
            }
        }
    }

    /// A JSON response with the given status.
    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        let data = try JSONEncoder.api.encode(value)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension JSONEncoder {
    /// The API's encoder: snake_case keys are spelled by each type's CodingKeys; dates ISO 8601.
    static let api: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601.string(date))
        }
        return encoder
    }()
}

/// ISO 8601 with milliseconds, UTC.
enum ISO8601 {
    static func string(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    static func date(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        if text.count == 10, let date = try? Date(text + "T00:00:00Z", strategy: .iso8601) { return date }
        return nil
    }
}
