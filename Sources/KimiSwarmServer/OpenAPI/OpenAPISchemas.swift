import Foundation
import KimiSwarmCore
import KimiSwarmPlatform
import KimiSwarmStore

/// The component schemas of the OpenAPI document (JSON Schema 2020-12, as OpenAPI 3.1 uses):
/// the builders every schema file uses, and the admin API's answers.
enum OpenAPISchemas {
    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }

    static func string(_ description: String? = nil, format: String? = nil, nullable: Bool = false) -> JSONValue {
        var schema: [String: JSONValue] = ["type": nullable ? JSONValue.array(["string", "null"]) : JSONValue.string("string")]
        if let description { schema["description"] = .string(description) }
        if let format { schema["format"] = .string(format) }
        return .object(schema)
    }

    /// A string of `minLength...maxLength` characters matching `pattern` (when given).
    static func text(_ description: String? = nil, minLength: Int? = nil, maxLength: Int? = nil, pattern: String? = nil) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "string"]
        if let description { schema["description"] = .string(description) }
        if let minLength { schema["minLength"] = .int(minLength) }
        if let maxLength { schema["maxLength"] = .int(maxLength) }
        if let pattern { schema["pattern"] = .string(pattern) }
        return .object(schema)
    }

    static func integer(_ description: String? = nil, nullable: Bool = false) -> JSONValue {
        var schema: [String: JSONValue] = ["type": nullable ? JSONValue.array(["integer", "null"]) : JSONValue.string("integer")]
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }

    /// An integer within `range` (the range the server checks).
    static func integer(_ range: ClosedRange<Int>, _ description: String? = nil) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "integer", "minimum": .int(range.lowerBound), "maximum": .int(range.upperBound)]
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }

    /// A number within `range`, or above `exclusiveMinimum` and at most `maximum`.
    static func number(_ range: ClosedRange<Double>, _ description: String? = nil) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "number", "minimum": .double(range.lowerBound), "maximum": .double(range.upperBound)]
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }

    static func number(above exclusiveMinimum: Double, atMost maximum: Double, _ description: String? = nil) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "number", "exclusiveMinimum": .double(exclusiveMinimum), "maximum": .double(maximum)]
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }

    /// `schema`, or null (what `decodeIfPresent` takes for an optional field).
    static func nullable(_ schema: JSONValue) -> JSONValue {
        guard case .object(var fields) = schema else { return schema }
        switch fields["type"] {
        case .string(let type)?: fields["type"] = [.string(type), "null"]
        case .array(let types)? where !types.contains("null"): fields["type"] = .array(types + ["null"])
        case nil:
            guard case .array(let options)? = fields["anyOf"] else { return ["anyOf": [schema, ["type": "null"]]] }
            fields["anyOf"] = .array(options + [["type": "null"]])
        default: break
        }
        if case .array(let values)? = fields["enum"], !values.contains(.null) { fields["enum"] = .array(values + [.null]) }
        return .object(fields)
    }

    static let boolean: JSONValue = ["type": "boolean"]
    static let money: JSONValue = ["type": "string", "description": "An exact decimal amount of US dollars.", "pattern": "^-?[0-9]+(\\.[0-9]+)?$"]
    static let nullableMoney: JSONValue = [
        "type": ["string", "null"], "description": "An exact decimal amount of US dollars, or null.", "pattern": "^-?[0-9]+(\\.[0-9]+)?$",
    ]
    static let time: JSONValue = string(format: "date-time")
    static let nullableTime: JSONValue = string(format: "date-time", nullable: true)
    static let roles: JSONValue = ["type": "string", "enum": .array(Role.allCases.map { .string($0.rawValue) })]
    /// A date (`2026-12-01`) or an ISO 8601 time.
    static let dateOrTime: JSONValue = ["type": "string", "anyOf": [["format": "date"], ["format": "date-time"]]]

    /// An object schema; `required` defaults to every property.
    static func object(_ properties: [String: JSONValue], required: [String]? = nil, additional: Bool = false, description: String? = nil) -> JSONValue {
        var schema: [String: JSONValue] = [
            "type": "object", "properties": .object(properties),
            "required": .array((required ?? properties.keys.sorted()).map(JSONValue.string)),
        ]
        if !additional { schema["additionalProperties"] = false }
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }

    /// A request body's object schema: only `properties` (others are a 422), `required` ones,
    /// and an example to start from.
    static func body(_ properties: [String: JSONValue], required: [String], example: JSONValue, description: String? = nil) -> JSONValue {
        guard case .object(var fields) = object(properties, required: required, description: description) else { return [:] }
        fields["examples"] = [example]
        return .object(fields)
    }

    static func list(_ item: String) -> JSONValue { object(["data": ["type": "array", "items": ref(item)]]) }

    /// Quota limits as answers show them (what is stored; null for none).
    static let limitProperties: [String: JSONValue] = [
        "monthly_token_limit": integer("Tokens (input plus output) per calendar month (UTC).", nullable: true),
        "monthly_cost_limit_usd": nullableMoney,
        "max_concurrent_runs": integer("Runs in flight at once.", nullable: true),
        "requests_per_minute": integer("Requests per minute, counted per replica.", nullable: true),
        "daily_token_limit": integer("Tokens (input plus output) per UTC day.", nullable: true),
        "max_subagents_per_run": integer("Sub-agents one run may start.", nullable: true),
    ]

    static let usageRow: JSONValue = object([
        "key": string("The group's value (`\"\"` for none)."), "calls": integer(), "cache_hits": integer(), "prompt_tokens": integer(),
        "cached_prompt_tokens": integer(), "completion_tokens": integer(), "reasoning_tokens": integer(), "total_tokens": integer(),
        "cost_usd": money,
        // What the calls the response cache answered (billed 0) would have cost.
        "saved_usd": money,
    ])

    static var all: [String: JSONValue] {
        adminSchemas.merging(runSchemas) { first, _ in first }.merging(gatewaySchemas) { first, _ in first }
            .merging(requestBodies) { first, _ in first }
    }
}
