import KimiSwarmCore
import Yams

/// A YAML mapping read field by field, collecting every problem with the file and field name
/// instead of stopping at the first one.
struct YAMLDocument {
    let file: String
    private let mapping: [String: Yams.Node]
    private(set) var problems: [String] = []
    private var used: Set<String> = []

    init(text: String, file: String) throws(TemplateError) {
        self.file = file
        let node: Yams.Node?
        do {
            // The one YAML reader: aliases and nesting bounded before any tree is built.
            node = try YAMLParsing.compose(text)
        } catch {
            throw TemplateError(problems: ["\(file): \(error)"])
        }
        guard let node, let mapping = node.mapping else {
            throw TemplateError(problems: ["\(file): expected a mapping of fields at the top level"])
        }
        var fields: [String: Yams.Node] = [:]
        for (key, value) in mapping {
            guard let name = key.string else { continue }
            fields[name] = value
        }
        self.mapping = fields
    }

    mutating func problem(_ field: String, _ message: String) {
        problems.append("\(file): field `\(field)`: \(message)")
    }

    mutating func string(_ field: String, required: Bool = true) -> String? {
        used.insert(field)
        guard let node = mapping[field], node != Node("~") else {
            if required { problem(field, "is missing") }
            return nil
        }
        guard node.scalar != nil, let text = node.string else {
            problem(field, "must be text")
            return nil
        }
        if required, text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            problem(field, "must not be empty")
            return nil
        }
        return text
    }

    mutating func strings(_ field: String) -> [String] {
        used.insert(field)
        guard let node = mapping[field] else { return [] }
        guard let sequence = node.sequence else {
            problem(field, "must be a list")
            return []
        }
        var values: [String] = []
        for (index, item) in sequence.enumerated() {
            guard item.scalar != nil, let text = item.string else {
                problem("\(field)[\(index)]", "must be text")
                continue
            }
            values.append(text)
        }
        return values
    }

    mutating func json(_ field: String) -> JSONValue? {
        used.insert(field)
        guard let node = mapping[field] else { return nil }
        return Self.jsonValue(node)
    }

    mutating func sequence(_ field: String) -> [Yams.Node]? {
        used.insert(field)
        guard let node = mapping[field] else { return nil }
        guard let sequence = node.sequence else {
            problem(field, "must be a list")
            return nil
        }
        return Array(sequence)
    }

    /// Reports fields that are not among those read.
    mutating func rejectUnknownFields() {
        for key in mapping.keys.sorted() where !used.contains(key) {
            problems.append("\(file): field `\(key)`: unknown field (known: \(used.sorted().joined(separator: ", ")))")
        }
    }

    static func jsonValue(_ node: Yams.Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain {
                if let bool = Bool.construct(from: scalar) { return .bool(bool) }
                if let int = Int.construct(from: scalar) { return .int(int) }
                if let double = Double.construct(from: scalar) { return .double(double) }
                if NSNull.construct(from: scalar) != nil { return .null }
            }
            return .string(scalar.string)
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping { object[key.string ?? ""] = jsonValue(value) }
            return .object(object)
        case .sequence(let sequence):
            return .array(sequence.map(jsonValue))
        case .alias:
            return .null
        }
    }

    /// A sub-document for one element of a list of mappings.
    static func element(_ node: Yams.Node, file: String) -> YAMLDocument? {
        guard let mapping = node.mapping else { return nil }
        var document = YAMLDocument(file: file)
        var fields: [String: Yams.Node] = [:]
        for (key, value) in mapping {
            if let name = key.string { fields[name] = value }
        }
        document = YAMLDocument(file: file, mapping: fields)
        return document
    }

    private init(file: String, mapping: [String: Yams.Node] = [:]) {
        self.file = file
        self.mapping = mapping
    }
}

import Foundation
