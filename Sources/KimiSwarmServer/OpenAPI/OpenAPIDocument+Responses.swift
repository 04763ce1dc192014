import KimiSwarmCore
import KimiSwarmPlatform

extension OpenAPIDocument {
    /// An answer with a JSON body of the named schema (or none).
    static func reply(
        _ status: Int, _ description: String, _ schema: String? = nil, headers: [(name: String, required: Bool)] = [],
        links: [String: JSONValue] = [:]
    ) -> Reply {
        Reply(
            status: status, description: description, content: schema.map { [("application/json", OpenAPISchemas.ref($0))] } ?? [],
            headers: headers, links: links)
    }

    /// An answer with a body of another media type.
    static func reply(_ status: Int, _ description: String, media: String, schema: JSONValue) -> Reply {
        Reply(status: status, description: description, content: [(media, schema)])
    }

    static let noContent = reply(204, "Done.")

    /// A link to the operation `method path`, its parameters taken from the answer (runtime
    /// expressions such as `$response.body#/id`).
    static func link(_ method: String, _ path: String, _ parameters: [String: String]) -> JSONValue {
        ["operationId": .string(operationID(method, path)), "parameters": .object(parameters.mapValues(JSONValue.string))]
    }

    /// Every error status an operation can answer: a non-canonical path (400) on every route;
    /// credentials, roles, another tenant (`X-KimiSwarm-Tenant`) and the database on every
    /// authenticated one (401, 403, 404, 503); the per-minute limit on `/api/v1` (429); a
    /// missing resource where the path names one (404); a body's size, type and content where
    /// there is a body (413, 415, 400, and 422 for the API's unknown or invalid fields); and the
    /// operation's own.
    static func errorStatuses(of operation: Operation) -> Set<Int> {
        var errors = Set(operation.errors)
        errors.insert(400)
        if operation.permission != nil { errors.formUnion([401, 403, 404, 503]) }
        if operation.permission != nil, operation.path.hasPrefix(api) { errors.insert(429) }
        if !pathParameters(operation.path).isEmpty { errors.insert(404) }
        if operation.body != nil { errors.formUnion(operation.path.hasPrefix("/v1/") ? [413, 415] : [413, 415, 422]) }
        return errors
    }

    static let errorDescriptions: [Int: String] = [
        400: "The request is malformed: a path not in canonical form, a bad parameter, or a body that is not strict JSON or has a wrong type (the error names it).",
        401: "No or bad credentials.",
        403: "The caller's role lacks the route's permission, or the caller's tenant is suspended.",
        404: "No such resource in the caller's tenant (another tenant's ids answer the same), or no such tenant for `X-KimiSwarm-Tenant`.",
        405: "The path does not take this method; `Allow` lists the methods it takes.",
        409: "The resource's state forbids the change.",
        413: "The body is too large.",
        415: "The body is not declared as JSON (`Content-Type: application/json`, UTF-8).",
        422: "The body is invalid: an unknown field or a value out of range (the error names it).",
        426: "The route speaks WebSocket only.",
        429: "A rate limit or quota was reached (`Retry-After` says when to retry).",
        502: "The upstream provider failed.",
        503: "The server cannot answer now (database, shutdown, missing master key).",
        504: "The upstream provider did not answer in time.",
    ]

    /// `#/components/responses`: every error status in the API's shape, and again in the
    /// gateway's OpenAI shape (`Gateway400`...).
    static var errorComponents: [String: JSONValue] {
        var components: [String: JSONValue] = [:]
        for (status, description) in errorDescriptions {
            var headers: [(name: String, required: Bool)] = []
            if status == 429 { headers.append(("Retry-After", false)) }
            if status == 405 { headers.append(("Allow", true)) }
            if status == 401 { headers.append(("WWW-Authenticate", true)) }
            components[String(status)] = json(reply(status, description, "Error", headers: headers))
            components["Gateway\(status)"] = json(reply(status, description, "GatewayError", headers: headers))
        }
        return components
    }

    /// `#/components/headers`.
    static let headerComponents: [String: JSONValue] = [
        "Location": ["description": "Where the new resource is.", "schema": ["type": "string"]],
        "Retry-After": ["description": "Seconds to wait before retrying.", "schema": ["type": "string", "pattern": "^[0-9]+$"]],
        "Allow": ["description": "The methods the path takes.", "schema": ["type": "string"]],
        "WWW-Authenticate": ["description": "`Bearer realm=\"kimiswarm\"`.", "schema": ["type": "string"]],
        "Idempotent-Replayed": ["description": "`true` when the answer is the earlier run of the same `Idempotency-Key`.", "schema": ["type": "string", "enum": ["true"]]],
    ]

    /// The schema of a path parameter. Ids of the admin API are 1 to 128 letters, digits,
    /// `.`, `_` or `-` (anything else cannot name a resource: 404); caller-chosen ids (a plan's,
    /// a provider's) follow ``Admin/validateID(_:field:)`` (422 otherwise).
    static func pathParameter(_ name: String) -> JSONValue {
        switch name {
        case "plan_id", "provider":
            return ["type": "string", "pattern": .string(OpenAPISchemas.chosenIDPattern)]
        case "id":
            return ["type": "string", "description": "A run id (`run_...`).", "pattern": "^[A-Za-z0-9_-]{1,128}$"]
        default:
            return ["type": "string", "pattern": "^[A-Za-z0-9._-]{1,128}$"]
        }
    }
}
