/// Readable text from an HTML page: the title, and the body without scripts, styles,
/// `noscript`, tags and comments; common entities decoded and whitespace collapsed. Not an
/// HTML parser, a careful scanner that is good enough for a model to read a page.
struct HTMLText: Sendable, Hashable {
    /// The `<title>`, if any.
    var title: String?
    /// The text of the page.
    var text: String

    private static let skipped: Set<String> = ["script", "style", "noscript", "template", "svg"]
    private static let blocks: Set<String> = [
        "p", "div", "br", "hr", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "thead", "tbody", "h1", "h2", "h3",
        "h4", "h5", "h6", "section", "article", "header", "footer", "nav", "main", "aside", "pre", "blockquote",
        "form", "figure", "figcaption", "details", "summary", "address",
    ]
    private static let cells: Set<String> = ["td", "th"]

    init(html: [UInt8]) {
        let bytes = html
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 2)
        var title: String?
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "<") else {
                out.append(byte)
                index += 1
                continue
            }
            if Self.hasPrefix(bytes, at: index, "<!--") {
                index = Self.find(bytes, "-->", from: index + 4).map { $0 + 3 } ?? count
                continue
            }
            var cursor = index + 1
            let closing = cursor < count && bytes[cursor] == UInt8(ascii: "/")
            if closing { cursor += 1 }
            let nameStart = cursor
            while cursor < count, Self.isNameByte(bytes[cursor]) { cursor += 1 }
            let isDeclaration =
                !closing && cursor < count && (bytes[cursor] == UInt8(ascii: "!") || bytes[cursor] == UInt8(ascii: "?"))
            if cursor == nameStart && !isDeclaration {
                out.append(byte)  // a lone "<", as in "a < b"
                index += 1
                continue
            }
            let name = String(decoding: bytes[nameStart..<cursor], as: UTF8.self).lowercased()
            let tagEnd = Self.endOfTag(bytes, from: cursor)
            index = tagEnd
            if closing {
                if Self.blocks.contains(name) { out.append(UInt8(ascii: "\n")) }
                continue
            }
            if name == "title" || Self.skipped.contains(name) {
                let close = Self.find(bytes, "</\(name)", from: tagEnd)
                if name == "title", title == nil {
                    let inner = Array(bytes[tagEnd..<(close ?? count)])
                    title = Self.collapse(Self.decodeEntities(String(decoding: inner, as: UTF8.self)))
                }
                index = close.map { Self.endOfTag(bytes, from: $0 + 2) } ?? count
                continue
            }
            if Self.blocks.contains(name) {
                out.append(UInt8(ascii: "\n"))
            } else if Self.cells.contains(name) {
                out.append(UInt8(ascii: " "))
            }
        }
        if title == nil, let head = Self.find(bytes, "<title", from: 0) {
            let start = Self.endOfTag(bytes, from: head + 6)
            let end = Self.find(bytes, "</title", from: start) ?? count
            if start < end {
                title = Self.collapse(Self.decodeEntities(String(decoding: bytes[start..<end], as: UTF8.self)))
            }
        }
        self.title = title.flatMap { $0.isEmpty ? nil : $0 }
        self.text = Self.collapse(Self.decodeEntities(String(decoding: out, as: UTF8.self)))
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// The index just past the `>` that ends the tag, skipping quoted attribute values.
    private static func endOfTag(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start
        var quote: UInt8?
        while index < bytes.count {
            let byte = bytes[index]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: ">") {
                return index + 1
            }
            index += 1
        }
        return bytes.count
    }

    private static func hasPrefix(_ bytes: [UInt8], at index: Int, _ prefix: String) -> Bool {
        let needle = Array(prefix.utf8)
        guard index + needle.count <= bytes.count else { return false }
        for offset in 0..<needle.count where lower(bytes[index + offset]) != needle[offset] { return false }
        return true
    }

    /// Case-insensitive search for an ASCII needle (given in lower case).
    private static func find(_ bytes: [UInt8], _ needle: String, from start: Int) -> Int? {
        let pattern = Array(needle.utf8)
        guard let first = pattern.first, bytes.count >= pattern.count else { return nil }
        var index = start
        while index + pattern.count <= bytes.count {
            if lower(bytes[index]) == first, hasPrefix(bytes, at: index, needle) { return index }
            index += 1
        }
        return nil
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    private static let entities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "ndash": "–", "mdash": "—",
        "hellip": "…", "copy": "©", "reg": "®", "trade": "™", "lsquo": "‘", "rsquo": "’", "ldquo": "“",
        "rdquo": "”", "laquo": "«", "raquo": "»", "middot": "·", "bull": "•", "euro": "€", "pound": "£",
        "yen": "¥", "deg": "°", "times": "×", "shy": "",
    ]

    /// Decodes named entities from a common set and all numeric ones.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            if let semicolon = after.prefix(12).firstIndex(of: ";") {
                let name = after[..<semicolon]
                var replacement: String?
                if name.hasPrefix("#x") || name.hasPrefix("#X") {
                    replacement = UInt32(name.dropFirst(2), radix: 16).flatMap { Unicode.Scalar($0) }.map { String($0) }
                } else if name.hasPrefix("#") {
                    replacement = UInt32(name.dropFirst()).flatMap { Unicode.Scalar($0) }.map { String($0) }
                } else {
                    replacement = entities[String(name)]
                }
                if let replacement {
                    result += replacement
                    rest = after[after.index(after: semicolon)...]
                    continue
                }
            }
            result += "&"
            rest = after
        }
        result += rest
        return result
    }

    /// Collapses runs of spaces within lines, trims lines and drops empty ones.
    static func collapse(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline)
            .map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
            .filter { !$0.isEmpty }
            .joined(separator: "\n")
    }
}
