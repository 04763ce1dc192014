import Foundation
import Hummingbird
import KimiSwarmCore
import KimiSwarmPlatform
import NIOCore

/// Reads JSON request bodies strictly: within the size limit, at most ``maxDepth`` levels of
/// nesting, an object at the top, and only the fields the route allows (so a body cannot set
/// what the caller may not, such as a tenant, a role or a plan).
enum JSONBody {
    static let maxDepth = 32

    /// The raw body, within the context's limit (413 beyond it), after checking that it is
    /// declared as JSON (415 otherwise).
    static func bytes(_ request: Request, context: AppRequestContext) async throws -> ByteBuffer {
        try requireJSONContentType(request)
        return try await request.body.collect(upTo: context.maxUploadSize)
    }

    /// Refuses (415) a body not declared as `application/json` (parameters allowed; a
    /// charset other than UTF-8 refused): a missing type, `text/plain` or `application/jsonx`
    /// is not JSON to us, whatever the bytes look like.
    static func requireJSONContentType(_ request: Request) throws {
        guard let type = request.headers[.contentType] else {
            throw unsupportedMediaType("the request has a body but no Content-Type")
        }
        let parts = type.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard parts.first == "application/json" else { throw unsupportedMediaType("the body must be JSON (`\(type.prefix(100))` was sent)") }
        for parameter in parts.dropFirst() where parameter.hasPrefix("charset=") {
            let charset = parameter.dropFirst("charset=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            guard charset == "utf-8" || charset == "utf8" else { throw unsupportedMediaType("JSON must be UTF-8 (charset `\(charset.prefix(40))` was sent)") }
        }
    }

    static func unsupportedMediaType(_ message: String) -> APIError {
        APIError(
            status: .unsupportedMediaType, type: "unsupported_media_type", message: message,
            hint: "Send the body as JSON with `Content-Type: application/json`.")
    }

    /// Decodes `T` from the body after checking its syntax, depth and allowed keys.
    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer, allowedKeys: Set<String>) throws -> T {
        let data = Data(buffer.readableBytesView)
        let object: [String: JSONValue]
        guard case .object(let value) = try parse(data) else {
            throw APIError.invalidRequest("the body must be a JSON object", hint: "Send `{...}`.")
        }
        object = value
        let unknown = Set(object.keys).subtracting(allowedKeys).sorted()
        if let first = unknown.first {
            throw APIError.unprocessable(
                "unknown field `\(first)`\(unknown.count > 1 ? " (and \(unknown.count - 1) more)" : "")",
                hint: "Allowed fields: \(allowedKeys.sorted().joined(separator: ", ")).", param: first)
        }
        return try JSONDecoder().decode(T.self, from: data)
    }

    /// The body as a ``JSONValue``, after ``validate(_:)``.
    static func parse(_ data: Data) throws -> JSONValue {
        try validate(data)
        do {
            return try JSONValue(parsing: data)
        } catch {
            throw APIError.invalidRequest("the body is not valid JSON (it is not UTF-8)", hint: "Send UTF-8 text.")
        }
    }

    /// Refuses an empty body and anything that is not strict JSON (``StrictJSON``: no trailing
    /// commas, no duplicate keys, at most ``maxDepth`` levels), naming the byte offset.
    static func validate(_ data: Data) throws {
        if data.isEmpty { throw APIError.invalidRequest("the body is empty", hint: "Send a JSON object.") }
        do {
            try data.withUnsafeBytes { raw in
                try StrictJSON(maxDepth: maxDepth).validate(raw.bindMemory(to: UInt8.self))
            }
        } catch let problem as StrictJSON.Problem {
            throw APIError.invalidRequest(
                "the body is not valid JSON: \(problem.message) (at byte \(problem.offset))",
                hint: "Send strict JSON: no trailing commas, comments or duplicate keys.")
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
