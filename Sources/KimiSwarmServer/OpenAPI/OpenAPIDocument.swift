import Foundation
import KimiSwarmCore
import KimiSwarmStore

/// The server's OpenAPI 3.1.0 document, written as data. The coverage test checks that every
/// route of the ``RouteTable`` has an operation here and every operation a route.
enum OpenAPIDocument {
    /// One operation: its method and path (with `{name}` parameters), what it needs and what it answers.
    struct Operation {
        var method: String
        var path: String
        var summary: String
        var tag: String
        /// `nil` for public routes (no bearer token).
        var permission: Permission?
        var query: [JSONValue] = []
        /// The schema name of a JSON body.
        var body: String?
        /// Status → (description, schema name or `nil` for none, media type).
        var responses: [(status: Int, description: String, schema: String?, media: String)]
        /// More error statuses than the ones the method implies.
        var errors: [Int] = []
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
                "description": "Agent swarms as a service: runs, live events, an OpenAI-compatible gateway and the tenant admin API. Every error has the body `{\"error\": {\"type\", \"message\", \"hint\", \"request_id\"}}`.",
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
                        "description": "An API key (`ks_...`). A super admin may act in another tenant with `X-KimiSwarm-Tenant: <id>`.",
                    ]
                ],
                "schemas": .object(OpenAPISchemas.all),
                "responses": .object(Dictionary(uniqueKeysWithValues: errorResponses.map { ($0.key, errorResponse($0.value)) })),
            ],
        ]
    }

    static let errorResponses: [String: String] = [
        "400": "The request is malformed (the error names the parameter).",
        "401": "No or bad credentials.",
        "403": "The caller's role lacks the route's permission.",
        "404": "No such resource in the caller's tenant (another tenant's ids answer the same).",
        "409": "The resource's state forbids the change.",
        "413": "The body is too large.",
        "415": "The body is not JSON.",
        "422": "The body is invalid (unknown field, bad value; the error names it).",
        "429": "A rate limit or quota was reached (`Retry-After` says when to retry).",
        "502": "The upstream provider failed.",
        "503": "The server cannot answer now (database, shutdown, missing master key).",
        "504": "The upstream provider did not answer in time.",
    ]

    static func errorResponse(_ description: String) -> JSONValue {
        ["description": .string(description), "content": ["application/json": ["schema": OpenAPISchemas.ref("Error")]]]
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
            ["name": .string(name), "in": "path", "required": true, "schema": ["type": "string"]]
        }
        parameters += operation.query
        if !parameters.isEmpty { object["parameters"] = .array(parameters) }
        if let body = operation.body {
            object["requestBody"] = [
                "required": true, "content": ["application/json": ["schema": OpenAPISchemas.ref(body)]],
            ]
        }
        var responses: [String: JSONValue] = [:]
        for response in operation.responses {
            var entry: [String: JSONValue] = ["description": .string(response.description)]
            if let schema = response.schema {
                let schemaValue: JSONValue =
                    schema == "#json" ? ["type": "object"] : schema.hasPrefix("#") ? ["type": "string"] : OpenAPISchemas.ref(schema)
                entry["content"] = .object([response.media: ["schema": schemaValue]])
            }
            responses[String(response.status)] = .object(entry)
        }
        var errors = Set(operation.errors)
        if operation.permission != nil { errors.formUnion([401, 403]) }
        if !pathParameters(operation.path).isEmpty { errors.insert(404) }
        if operation.body != nil { errors.formUnion([400, 413, 415, 422]) }
        if operation.path.hasPrefix("/api/") || operation.path.hasPrefix("/v1/") { errors.insert(503) }
        for status in errors where responses[String(status)] == nil {
            responses[String(status)] = ["$ref": .string("#/components/responses/\(status)")]
        }
        object["responses"] = .object(responses)
        return .object(object)
    }

    /// `get /api/v1/runs/{id}/cancel` → `getApiV1RunsIdCancel`.
    static func operationID(_ operation: Operation) -> String {
        let words = operation.path.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { $0.prefix(1).uppercased() + $0.dropFirst() }
        return operation.method + words.joined()
    }

    /// The `{name}` parameters of a path.
    static func pathParameters(_ path: String) -> [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") && $0.hasSuffix("}") }.map { String($0.dropFirst().dropLast()) }
    }

    /// A query parameter.
    static func query(_ name: String, _ description: String, schema: JSONValue = ["type": "string"]) -> JSONValue {
        ["name": .string(name), "in": "query", "required": false, "description": .string(description), "schema": schema]
    }

    /// The document's text, pretty and stable.
    static let text: String = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return (try? encoder.encode(make())).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }()
}
