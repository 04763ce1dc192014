/// Text helpers shared by the wire builders and the echo model.
enum WireText {
    /// Splits `text` into pieces of at most `size` characters (never splitting a character).
    /// An empty text yields no pieces.
    static func pieces(of text: String, size: Int) -> [String] {
        let size = max(1, size)
        var result: [String] = []
        var current = ""
        var count = 0
        for character in text {
            current.append(character)
            count += 1
            if count == size {
                result.append(current)
                current = ""
                count = 0
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// Number of whitespace-separated words in `text`.
    static func wordCount(_ text: String) -> Int {
        text.split(whereSeparator: { $0.isWhitespace }).count
    }

    /// `text` without leading and trailing whitespace.
    static func trimmed(_ text: String) -> String {
        String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }

    /// An SSE `data:` event carrying `node`.
    static func dataEvent(_ node: JSONNode) -> String {
        "data: " + node.serialized
    }

    /// An SSE event with an `event:` line and a `data:` line carrying `node`.
    static func namedEvent(_ name: String, _ node: JSONNode) -> String {
        "event: \(name)\ndata: " + node.serialized
    }
}
