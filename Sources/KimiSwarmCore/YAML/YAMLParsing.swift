package import Yams

/// The one way KimiSwarm turns YAML text into a tree: the configuration and models files (the
/// client), templates, swarms and graphs (the engine). The text is bounded first
/// (``YAMLSizeGuard``: at most 100,000 nodes with aliases expanded, 64 levels of nesting), then
/// composed; a failure is described with its line and column but never quotes the text, which
/// could hold a key.
package enum YAMLParsing {
    /// Why a text was refused: too large once expanded, too deep, or not YAML.
    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    /// The root node of `text` (`nil` for an empty document).
    package static func compose(_ text: String) throws(Failure) -> Node? {
        do {
            try YAMLSizeGuard().check(text)
        } catch {
            throw Failure(description: error.description)
        }
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Failure(description: "YAML syntax error \(describe(error, in: text))")
        } catch {
            throw Failure(description: "the text could not be read as YAML")
        }
    }

    /// A description of a Yams error with its line and column, without the snippet of the
    /// text that Yams adds (it could show a key).
    static func describe(_ error: YamlError, in text: String) -> String {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var what = problem
            if let context { what = "\(context.text), \(problem)" }
            return "at line \(mark.line), column \(mark.column): \(what)"
        case .reader(let problem, let offset, _, _):
            if let offset, let line = lineNumber(ofOffset: offset, in: text) {
                return "at line \(line): \(problem)"
            }
            return "(\(problem))"
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return "at line \(context.mark.line): duplicate key \(keys) in one mapping"
        default:
            return "(the YAML parser failed)"
        }
    }

    private static func lineNumber(ofOffset offset: Int, in text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard offset >= 0, offset <= bytes.count else { return nil }
        return bytes[..<offset].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
    }
}
