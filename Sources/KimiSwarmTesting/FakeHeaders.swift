/// An ordered list of HTTP header fields attached to a scripted ``FakeResponse``.
///
/// Write it as a dictionary literal (`["retry-after": "2"]`, order kept, duplicates allowed)
/// or as an array of pairs (`[("retry-after", "2")]`).
/// A field whose name matches a default header of the response (for example `content-type`)
/// replaces that default (case-insensitive); other fields are appended.
public struct FakeHeaders: Sendable, Hashable {
    /// One header field.
    public struct Field: Sendable, Hashable {
        /// The field name, as written.
        public var name: String
        /// The field value.
        public var value: String

        /// Creates a header field.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The fields, in order.
    public var fields: [Field]

    /// Creates headers from fields.
    public init(_ fields: [Field] = []) {
        self.fields = fields
    }

    /// Creates headers from `(name, value)` pairs.
    public init(_ pairs: [(String, String)]) {
        self.fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    /// Whether there are no fields.
    public var isEmpty: Bool { fields.isEmpty }

    /// The first value for `name` (case-insensitive).
    public func value(for name: String) -> String? {
        let lowered = name.lowercased()
        return fields.first { $0.name.lowercased() == lowered }?.value
    }

    /// Appends a field.
    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }
}

extension FakeHeaders: ExpressibleByDictionaryLiteral {
    /// Creates headers from a dictionary literal, keeping its order.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }
}

extension FakeHeaders: ExpressibleByArrayLiteral {
    /// Creates headers from an array literal of `(name, value)` pairs.
    public init(arrayLiteral elements: (String, String)...) {
        self.init(elements)
    }
}
