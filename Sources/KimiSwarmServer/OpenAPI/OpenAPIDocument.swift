import Foundation
import KimiSwarmCore
import KimiSwarmPlatform
import KimiSwarmStore

/// The server's OpenAPI 3.1.0 document, written as data. The coverage test checks that every
/// route of the ``RouteTable`` has an operation here and every operation a route; the
/// security suite (scripts/security) checks with schemathesis that every answer of the server
/// is one the document describes.
///
/// The request schemas read the limits the server's validation uses (``RunLimits/Bounds``,
/// ``LimitsDTO``, ``GatewayChatRequest``...), so the two cannot drift apart.
enum OpenAPIDocument {
    /// One operation: its method and path (with `{name}` parameters), what it needs and what it answers.
    struct Operation {
        var method: String
        var path: String
        var summary: String
        var tag: String
        /// `nil` for public routes (no bearer token).
        var permission: Permission?
        /// Query and header parameters (path parameters come from ``pathParameter(_:)``).
        var query: [JSONValue] = []
        /// The schema name of a JSON body.
        var body: String?
        /// The answers that are not errors.
        var responses: [Reply]
        /// Error statuses beyond the ones every operation of its kind has (``errorStatuses(of:)``).
        var errors: [Int] = []
    }

    /// One documented answer: its status, what it means, its body (one schema per media type),
    /// its headers (name → required) and the operations it links to.
    struct Reply {
        var status: Int
        var description: String
        var content: [(media: String, schema: JSONValue)] = []
        var headers: [(name: String, required: Bool)] = []
        var links: [String: JSONValue] = [:]
    }

    /// The document as JSON.
    static func make() -> JSONValue {
        var paths: [String: [String: JSONValue]] = [:]
        for operation in operations {
            paths[operation.path, default: [:]][operation.method] = json(operation)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "KimiSwarm API", "version": "1.0.0",
                "description": .string(
                    "Agent swarms as a service: runs, live events, an OpenAI-compatible gateway and the tenant admin API. "
                        + "Every error has the body `{\"error\": {\"type\", \"message\", \"hint\", \"request_id\"}}` "
                        + "(gateway routes under `/v1` add OpenAI's `param` and `code`); every answer carries `X-Request-ID`. "
                        + "A path in non-canonical form (`//`, `.` or `..` segments, percent-encoded `.`, `/` or `\\`) is a 400 on every route; "
                        + "a method a path does not take is a 405 with `Allow` listing the methods it does (`#/components/responses/405`)."),
                "license": ["name": "Proprietary", "identifier": "LicenseRef-Proprietary"],
            ],
            "servers": [["url": "/"]],
            "security": [["bearer": []]],
            "tags": .array(Set(operations.map(\.tag)).sorted().map { ["name": .string($0)] }),
            "paths": .object(paths.mapValues { .object($0) }),
            "components": [
                "securitySchemes": [
                    "bearer": [
                        "type": "http", "scheme": "bearer",
                        "description": "An API key (`ks_...`) or a session token. A super admin may act in another tenant with `X-KimiSwarm-Tenant: <id>` (404 for a tenant that does not exist; 403 for anyone else).",
                    ]
                ],
                "schemas": .object(OpenAPISchemas.all),
                "responses": .object(errorComponents),
                "headers": .object(headerComponents),
            ],
        ]
    }

    static func json(_ operation: Operation) -> JSONValue {
        var object: [String: JSONValue] = [
            "operationId": .string(operationID(operation)), "summary": .string(operation.summary), "tags": [.string(operation.tag)],
        ]
        if let permission = operation.permission {
            object["description"] = .string(
                "Needs `\(permission.rawValue)` (roles: \(permission.roles.map(\.rawValue).sorted().joined(separator: ", "))).")
            object["x-permission"] = .string(permission.rawValue)
        } else {
            object["security"] = []
        }
        var parameters: [JSONValue] = pathParameters(operation.path).map { name in
            ["name": .string(name), "in": "path", "required": true, "schema": pathParameter(name)]
        }
        parameters += operation.query
        if !parameters.isEmpty { object["parameters"] = .array(parameters) }
        if let body = operation.body {
            object["requestBody"] = [
                "required": true, "content": ["application/json": ["schema": OpenAPISchemas.ref(body)]],
            ]
        }
        var responses: [String: JSONValue] = [:]
        for reply in operation.responses {
            responses[String(reply.status)] = json(reply)
        }
        let prefix = operation.path.hasPrefix("/v1/") ? "Gateway" : ""
        for status in errorStatuses(of: operation) where responses[String(status)] == nil {
            responses[String(status)] = ["$ref": .string("#/components/responses/\(prefix)\(status)")]
        }
        object["responses"] = .object(responses)
        return .object(object)
    }

    static func json(_ reply: Reply) -> JSONValue {
        var entry: [String: JSONValue] = ["description": .string(reply.description)]
        if !reply.content.isEmpty {
            entry["content"] = .object(Dictionary(uniqueKeysWithValues: reply.content.map { ($0.media, ["schema": $0.schema]) }))
        }
        if !reply.headers.isEmpty {
            entry["headers"] = .object(
                Dictionary(uniqueKeysWithValues: reply.headers.map { header -> (String, JSONValue) in
                    var value = headerComponents[header.name] ?? ["schema": ["type": "string"]]
                    if case .object(var fields) = value {
                        fields["required"] = .bool(header.required)
                        value = .object(fields)
                    }
                    return (header.name, value)
                }))
        }
        if !reply.links.isEmpty { entry["links"] = .object(reply.links) }
        return .object(entry)
    }

    /// `get /api/v1/runs/{id}/cancel` → `getApiV1RunsIdCancel`.
    static func operationID(_ operation: Operation) -> String {
        operationID(operation.method, operation.path)
    }

    static func operationID(_ method: String, _ path: String) -> String {
        let words = path.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { $0.prefix(1).uppercased() + $0.dropFirst() }
        return method + words.joined()
    }

    /// The `{name}` parameters of a path.
    static func pathParameters(_ path: String) -> [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") && $0.hasSuffix("}") }.map { String($0.dropFirst().dropLast()) }
    }

    /// A query parameter.
    static func query(_ name: String, _ description: String, schema: JSONValue = ["type": "string"]) -> JSONValue {
        ["name": .string(name), "in": "query", "required": false, "description": .string(description), "schema": schema]
    }

    /// A header parameter.
    static func header(_ name: String, _ description: String, schema: JSONValue) -> JSONValue {
        ["name": .string(name), "in": "header", "required": false, "description": .string(description), "schema": schema]
    }

    /// The document's text, pretty and stable.
    static let text: String = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return (try? encoder.encode(make())).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }()
}
