public import KimiSwarmCore

/// Validates JSON against the part of JSON Schema that agent output schemas use: `type`
/// (one or a list), `properties`, `required`, `additionalProperties` (boolean or schema),
/// `items`, `enum`, `const`, `minItems`/`maxItems`, `minLength`/`maxLength`,
/// `minimum`/`maximum`, `anyOf`. Unknown keywords are ignored, as the specification says.
public enum JSONSchemaValidator {
    static let knownTypes: Set<String> = ["object", "array", "string", "number", "integer", "boolean", "null"]

    /// Every place where `value` does not match `schema`, as `$.path: problem` lines.
    public static func validate(_ value: JSONValue, against schema: JSONValue) -> [String] {
        var problems: [String] = []
        check(value, schema, path: "$", into: &problems)
        return problems
    }

    /// Problems with a schema itself (unknown type names, malformed keywords).
    public static func checkSchema(_ schema: JSONValue, path: String = "$") -> [String] {
        guard let object = schema.objectValue else { return ["\(path) must be an object"] }
        var problems: [String] = []
        for name in typeNames(object["type"]) where !knownTypes.contains(name) {
            problems.append("\(path).type: unknown type \"\(name)\"")
        }
        if let properties = object["properties"] {
            if let members = properties.objectValue {
                for (key, sub) in members.sorted(by: { $0.key < $1.key }) {
                    problems += checkSchema(sub, path: "\(path).properties.\(key)")
                }
            } else {
                problems.append("\(path).properties must be an object")
            }
        }
        if let required = object["required"], required.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true {
            problems.append("\(path).required must be a list of property names")
        }
        if let items = object["items"] { problems += checkSchema(items, path: "\(path).items") }
        return problems
    }

    private static func typeNames(_ value: JSONValue?) -> [String] {
        switch value {
        case .string(let name): [name]
        case .array(let names): names.compactMap(\.stringValue)
        default: []
        }
    }

    private static func typeName(of value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("number", .int), ("number", .double): true
        case ("integer", .double(let number)): number.rounded() == number
        default: typeName(of: value) == type
        }
    }

    private static func check(_ value: JSONValue, _ schema: JSONValue, path: String, into problems: inout [String]) {
        guard let rules = schema.objectValue else { return }
        let types = typeNames(rules["type"])
        if !types.isEmpty, !types.contains(where: { matches(value, type: $0) }) {
            problems.append("\(path): expected \(types.joined(separator: " or ")), got \(typeName(of: value))")
            return
        }
        if let allowed = rules["enum"]?.arrayValue, !allowed.contains(value) {
            problems.append("\(path): must be one of \(allowed.map(\.canonicalText).joined(separator: ", "))")
        }
        if let constant = rules["const"], constant != value {
            problems.append("\(path): must be \(constant.canonicalText)")
        }
        if let options = rules["anyOf"]?.arrayValue, !options.isEmpty {
            let fits = options.contains { validate(value, against: $0).isEmpty }
            if !fits { problems.append("\(path): matches none of the allowed shapes (anyOf)") }
        }
        switch value {
        case .object(let members):
            let properties = rules["properties"]?.objectValue ?? [:]
            for name in rules["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[name] == nil {
                problems.append("\(path): missing required property \"\(name)\"")
            }
            for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                if let sub = properties[name] {
                    check(member, sub, path: "\(path).\(name)", into: &problems)
                } else if let additional = rules["additionalProperties"] {
                    if additional == .bool(false) {
                        problems.append("\(path): unexpected property \"\(name)\"")
                    } else if additional.objectValue != nil {
                        check(member, additional, path: "\(path).\(name)", into: &problems)
                    }
                }
            }
        case .array(let items):
            if let minimum = rules["minItems"]?.intValue, items.count < minimum {
                problems.append("\(path): needs at least \(minimum) items, has \(items.count)")
            }
            if let maximum = rules["maxItems"]?.intValue, items.count > maximum {
                problems.append("\(path): allows at most \(maximum) items, has \(items.count)")
            }
            if let itemSchema = rules["items"] {
                for (index, item) in items.enumerated() {
                    check(item, itemSchema, path: "\(path)[\(index)]", into: &problems)
                }
            }
        case .string(let text):
            if let minimum = rules["minLength"]?.intValue, text.count < minimum {
                problems.append("\(path): must be at least \(minimum) characters")
            }
            if let maximum = rules["maxLength"]?.intValue, text.count > maximum {
                problems.append("\(path): must be at most \(maximum) characters")
            }
        case .int, .double:
            let number = value.doubleValue ?? 0
            if let bound = rules["minimum"], let minimum = bound.doubleValue, number < minimum {
                problems.append("\(path): must be ≥ \(bound.canonicalText)")
            }
            if let bound = rules["maximum"], let maximum = bound.doubleValue, number > maximum {
                problems.append("\(path): must be ≤ \(bound.canonicalText)")
            }
        default:
            break
        }
    }
}
