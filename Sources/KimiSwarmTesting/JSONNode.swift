/// An ordered JSON value used to *produce* wire bodies.
///
/// Objects keep the insertion order of their members so the generated bodies read like the
/// real providers' output. `raw` embeds an already-serialised JSON text verbatim (used for
/// caller-supplied tool inputs). Serialisation escapes strings per RFC 8259.
enum JSONNode: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONNode])
    case object([(String, JSONNode)])
    case raw(String)

    /// `.string(value)` when present, `.null` otherwise.
    static func optionalString(_ value: String?) -> JSONNode {
        value.map(JSONNode.string) ?? .null
    }

    /// `.int(value)` when present, `.null` otherwise.
    static func optionalInt(_ value: Int?) -> JSONNode {
        value.map(JSONNode.int) ?? .null
    }

    /// The compact JSON text of this value.
    var serialized: String {
        var output = ""
        write(to: &output)
        return output
    }

    private func write(to output: inout String) {
        switch self {
        case .null:
            output += "null"
        case .bool(let value):
            output += value ? "true" : "false"
        case .int(let value):
            output += String(value)
        case .double(let value):
            output += JSONNode.format(value)
        case .string(let value):
            JSONNode.appendEscaped(value, to: &output)
        case .array(let elements):
            output += "["
            for (offset, element) in elements.enumerated() {
                if offset > 0 { output += "," }
                element.write(to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (offset, member) in members.enumerated() {
                if offset > 0 { output += "," }
                JSONNode.appendEscaped(member.0, to: &output)
                output += ":"
                member.1.write(to: &output)
            }
            output += "}"
        case .raw(let text):
            output += text
        }
    }

    /// Formats a double as a JSON number (non-finite values become `null`).
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int(value))
        }
        return String(value)
    }

    /// Appends `value` as a quoted, escaped JSON string.
    static func appendEscaped(_ value: String, to output: inout String) {
        output += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "\u{2028}": output += "\\u2028"
            case "\u{2029}": output += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }

    /// A quoted, escaped JSON string literal for `value`.
    static func quoted(_ value: String) -> String {
        var output = ""
        appendEscaped(value, to: &output)
        return output
    }
}

extension JSONNode {
    /// Converts a parsed ``WireJSON`` value (object keys sorted for determinism).
    init(_ value: WireJSON) {
        switch value {
        case .null:
            self = .null
        case .bool(let flag):
            self = .bool(flag)
        case .number(let number):
            self = .double(number)
        case .string(let text):
            self = .string(text)
        case .array(let elements):
            self = .array(elements.map(JSONNode.init))
        case .object(let members):
            self = .object(members.sorted { $0.key < $1.key }.map { ($0.key, JSONNode($0.value)) })
        }
    }
}
