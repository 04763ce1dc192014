import KimiSwarmCore
import Yams

/// Walks a parsed YAML document for the configuration and model registry loaders, recording
/// every problem with the file name, the key path and, where Yams knows it, the line.
///
/// Messages never quote a value that could be a secret: they name keys, not contents, except
/// where a caller passes a value that is known to be harmless.
struct YAMLReader {
    /// The file name used in messages.
    let source: String
    /// Problems found so far.
    var problems = ConfigurationProblems()

    /// A mapping's entries with scalar keys, in file order.
    typealias Entries = [(key: String, keyNode: Node, value: Node)]

    init(source: String) {
        self.source = source
    }

    /// Parses `text` into its root node (`nil` for an empty document) through the one YAML
    /// reader (`YAMLParsing`: bounded expansion and nesting), or records one problem that names
    /// the file and the line of the syntax error.
    mutating func compose(_ text: String) -> Node?? {
        do {
            return .some(try YAMLParsing.compose(text))
        } catch {
            problems.error("\(source): \(error.description)")
        }
        return nil
    }

    // MARK: Locations and messages

    /// `source: path` followed by a sentence, with the node's line when known.
    func message(_ path: String, _ text: String, at node: Node?) -> String {
        "\(source): \(path) \(text)\(Self.lineSuffix(node))"
    }

    /// Records an error about `path`.
    mutating func error(_ path: String, _ text: String, at node: Node?) {
        problems.error(message(path, text, at: node))
    }

    /// Records a warning about `path`.
    mutating func warn(_ path: String, _ text: String, at node: Node?) {
        problems.warn(message(path, text, at: node))
    }

    static func lineSuffix(_ node: Node?) -> String {
        guard let line = node?.mark?.line, line > 0 else { return "" }
        return " (line \(line))"
    }

    /// `retry` + `max_attempts` → `retry.max_attempts`; a path ending in `:` (an entry's label
    /// such as `models[3] (gpt-4o):`) is followed by a space instead.
    static func join(_ path: String, _ key: String) -> String {
        if path.isEmpty { return key }
        return path.hasSuffix(":") ? "\(path) \(key)" : "\(path).\(key)"
    }

    // MARK: Structure

    /// The entries of a mapping at `path`, or `nil` after recording that it is not one.
    mutating func mapping(_ node: Node, path: String) -> Entries? {
        guard case .mapping(let mapping) = node else {
            if node.isNull { return [] }
            error(path, "must be a mapping of keys to values, not \(node.kindDescription)", at: node)
            return nil
        }
        var entries: Entries = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                error(path, "has a key that is not a plain name", at: keyNode)
                continue
            }
            entries.append((scalar.string, keyNode, value))
        }
        return entries
    }

    /// The items of a list at `path`, or `nil` after recording that it is not one.
    mutating func sequence(_ node: Node, path: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            if node.isNull { return [] }
            error(path, "must be a list, not \(node.kindDescription)", at: node)
            return nil
        }
        return Array(sequence)
    }

    /// Records an error for every key of `entries` that is not in `allowed`.
    mutating func rejectUnknownKeys(_ entries: Entries, allowed: [String], path: String, misplaced: [String: String] = [:]) {
        for entry in entries where !allowed.contains(entry.key) {
            let keyPath = Self.join(path, entry.key)
            if let note = misplaced[entry.key] {
                error(keyPath, note, at: entry.keyNode)
                continue
            }
            var text = "is not a known key; allowed keys here: \(allowed.joined(separator: ", "))"
            if let suggestion = Spelling.closest(to: entry.key, in: allowed) {
                text += " (did you mean '\(suggestion)'?)"
            }
            error(keyPath, text, at: entry.keyNode)
        }
    }

    // MARK: Scalars

    /// The text of a scalar at `path`, or `nil` after recording what is wrong.
    mutating func scalarText(_ node: Node, path: String, expected: String) -> String? {
        guard case .scalar(let scalar) = node else {
            error(path, "must be \(expected), not \(node.kindDescription)", at: node)
            return nil
        }
        if node.isNull {
            error(path, "must be \(expected), but it has no value", at: node)
            return nil
        }
        return scalar.string
    }

    /// A string at `path`; any scalar counts (`2024-10-21` is a string here).
    mutating func string(_ node: Node, path: String) -> String? {
        scalarText(node, path: path, expected: "a string")
    }

    /// A non-empty string at `path`.
    mutating func nonEmptyString(_ node: Node, path: String) -> String? {
        guard let text = string(node, path: path) else { return nil }
        let trimmed = text.trimmingWhitespace
        if trimmed.isEmpty {
            error(path, "must not be empty", at: node)
            return nil
        }
        return trimmed
    }

    /// A value parsed by `parse` from a scalar's text; `parse` returns the reason it failed.
    /// The value is quoted in the message: use it only for settings that are never secret.
    mutating func value<T>(
        _ node: Node, path: String, expected: String, _ parse: (String) -> Result<T, SettingError>
    ) -> T? {
        guard let text = scalarText(node, path: path, expected: expected) else { return nil }
        switch parse(text) {
        case .success(let value):
            return value
        case .failure(let failure):
            problems.error("\(source): \(path)='\(Quoting.inline(text))' \(failure.reason)\(Self.lineSuffix(node))")
            return nil
        }
    }

    /// A list of strings at `path`.
    mutating func strings(_ node: Node, path: String) -> [String]? {
        guard let items = sequence(node, path: path) else { return nil }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            if let text = nonEmptyString(item, path: "\(path)[\(index)]") { result.append(text) }
        }
        return result
    }

    /// A mapping of strings to strings at `path`; values are never quoted in messages.
    mutating func stringMap(_ node: Node, path: String) -> [String: String]? {
        guard let entries = mapping(node, path: path) else { return nil }
        var result: [String: String] = [:]
        for entry in entries {
            if let text = string(entry.value, path: Self.join(path, entry.key)) { result[entry.key] = text }
        }
        return result
    }
}

extension Node {
    /// Whether this is an empty value (`key:`, `~` or `null`).
    var isNull: Bool {
        guard case .scalar = self else { return false }
        return tag.rawValue == Tag.Name.null.rawValue
    }

    /// What kind of node this is, for messages.
    var kindDescription: String {
        switch self {
        case .scalar: return isNull ? "an empty value" : "a single value"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}
