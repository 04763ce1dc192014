import Foundation

/// A small, `Sendable` JSON value used to inspect request bodies received by the fake server.
///
/// Numbers are stored as `Double`; ``intValue`` returns integral numbers as `Int`.
/// Object member order is not preserved (and does not affect equality).
public enum WireJSON: Sendable, Hashable {
    /// JSON `null`.
    case null
    /// JSON `true` / `false`.
    case bool(Bool)
    /// Any JSON number.
    case number(Double)
    /// A JSON string.
    case string(String)
    /// A JSON array.
    case array([WireJSON])
    /// A JSON object.
    case object([String: WireJSON])

    /// Parses UTF-8 JSON bytes; returns `nil` when they are not valid JSON.
    public init?(parsing bytes: [UInt8]) {
        guard let value = try? JSONDecoder().decode(WireJSON.self, from: Data(bytes)) else {
            return nil
        }
        self = value
    }

    /// Parses a JSON text; returns `nil` when it is not valid JSON.
    public init?(parsing text: String) {
        self.init(parsing: Array(text.utf8))
    }

    /// The member named `key` when this is an object, otherwise `nil`.
    public subscript(key: String) -> WireJSON? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    /// The element at `index` when this is an array and the index is in range, otherwise `nil`.
    public subscript(index: Int) -> WireJSON? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// The string payload, if this is a string.
    public var stringValue: String? {
        guard case .string(let value) = self else { return nil }
        return value
    }

    /// The number payload, if this is a number.
    public var doubleValue: Double? {
        guard case .number(let value) = self else { return nil }
        return value
    }

    /// The number payload as an `Int`, if this is an integral number that fits.
    public var intValue: Int? {
        guard case .number(let value) = self, value == value.rounded(),
              let exact = Int(exactly: value) else { return nil }
        return exact
    }

    /// The boolean payload, if this is a boolean.
    public var boolValue: Bool? {
        guard case .bool(let value) = self else { return nil }
        return value
    }

    /// The elements, if this is an array.
    public var arrayValue: [WireJSON]? {
        guard case .array(let value) = self else { return nil }
        return value
    }

    /// The members, if this is an object.
    public var objectValue: [String: WireJSON]? {
        guard case .object(let value) = self else { return nil }
        return value
    }

    /// Whether this is JSON `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// Compact JSON text of this value, with object keys sorted.
    public var jsonString: String {
        JSONNode(self).serialized
    }
}

extension WireJSON: Decodable {
    /// Decodes any JSON value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let elements = try? container.decode([WireJSON].self) {
            self = .array(elements)
        } else {
            self = .object(try container.decode([String: WireJSON].self))
        }
    }
}

extension WireJSON: CustomStringConvertible {
    /// The compact JSON text (same as ``jsonString``).
    public var description: String { jsonString }
}
