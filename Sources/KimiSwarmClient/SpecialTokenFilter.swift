/// Strips chat-template special tokens such as `<|im_end|>` that some Kimi deployments
/// leak into generated text.
///
/// Works on streamed text: a token split across deltas (`<|im_` + `end|>`) is held back until
/// it is complete, then removed; text that only looked like the start of a token is released.
public struct SpecialTokenFilter: Sendable {
    private var held = ""

    /// The longest special token recognised; longer `<|...` runs are ordinary text.
    static let maxTokenLength = 48

    /// Creates a filter.
    public init() {}

    /// Filters a whole text at once.
    public static func strip(_ text: String) -> String {
        var filter = SpecialTokenFilter()
        return filter.feed(text) + filter.flush()
    }

    /// Feeds a delta; returns the text that is safe to emit now.
    public mutating func feed(_ text: String) -> String {
        guard !text.isEmpty else { return "" }
        let input = held + text
        held = ""
        var output = ""
        var index = input.startIndex
        while index < input.endIndex {
            guard input[index] == "<" else {
                output.append(input[index])
                index = input.index(after: index)
                continue
            }
            switch Self.match(input[index...]) {
            case .token(let end):
                index = end
            case .partial:
                held = String(input[index...])
                return output
            case .none:
                output.append("<")
                index = input.index(after: index)
            }
        }
        return output
    }

    /// Ends the text; returns anything held back that turned out not to be a token.
    public mutating func flush() -> String {
        defer { held = "" }
        return held
    }

    private enum Match {
        case token(end: String.Index)
        case partial
        case none
    }

    /// Matches `<|name|>` where name is letters, digits, `_`, `-`, `:` or `.`.
    private static func match(_ text: Substring) -> Match {
        var index = text.index(after: text.startIndex)
        guard index < text.endIndex else { return .partial }
        guard text[index] == "|" else { return .none }
        index = text.index(after: index)
        var length = 0
        while index < text.endIndex {
            let character = text[index]
            if character == "|" {
                let next = text.index(after: index)
                guard next < text.endIndex else { return .partial }
                guard text[next] == ">", length > 0 else { return .none }
                return .token(end: text.index(after: next))
            }
            guard character.isLetter || character.isNumber || character == "_" || character == "-" || character == ":"
                || character == "."
            else { return .none }
            length += 1
            if length > maxTokenLength { return .none }
            index = text.index(after: index)
        }
        return .partial
    }
}
