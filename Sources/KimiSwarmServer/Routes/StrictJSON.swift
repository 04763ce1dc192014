/// A one-pass check that a request body is JSON exactly as RFC 8259 writes it, before any
/// decoder sees it. Foundation's decoders are lenient (they take trailing commas, and with a
/// duplicate key one value silently wins), so a body could mean one thing to a proxy or an
/// audit log and another to us. Refused here, each with a message that says where:
///
/// - anything that is not RFC 8259 JSON: trailing commas, comments, single quotes, bare words,
///   leading zeros, `NaN`, control characters in strings, bad escapes, text after the value;
/// - a key that appears twice in one object (compared after unescaping);
/// - nesting deeper than `maxDepth`.
///
/// It allocates only for the keys of the objects being read, so it costs about as much as
/// reading the body once.
struct StrictJSON {
    /// Why a body was refused, with the byte offset where the problem is.
    struct Problem: Error, Equatable {
        var message: String
        var offset: Int
    }

    let maxDepth: Int

    init(maxDepth: Int = 32) { self.maxDepth = maxDepth }

    /// Throws a ``Problem`` unless `bytes` hold exactly one JSON value (surrounded by whitespace at most).
    func validate<Bytes: RandomAccessCollection>(_ bytes: Bytes) throws(Problem) where Bytes.Element == UInt8, Bytes.Index == Int {
        var reader = Reader(bytes: bytes, maxDepth: maxDepth)
        reader.skipWhitespace()
        try reader.value()
        reader.skipWhitespace()
        if reader.index < bytes.endIndex { throw reader.problem("unexpected text after the JSON value") }
    }

    private struct Reader<Bytes: RandomAccessCollection> where Bytes.Element == UInt8, Bytes.Index == Int {
        let bytes: Bytes
        let maxDepth: Int
        var index: Int
        var depth = 0

        init(bytes: Bytes, maxDepth: Int) {
            self.bytes = bytes
            self.maxDepth = maxDepth
            self.index = bytes.startIndex
        }

        func problem(_ message: String) -> Problem { Problem(message: message, offset: index - bytes.startIndex) }

        var current: UInt8? { index < bytes.endIndex ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
        }

        mutating func value() throws(Problem) {
            guard let byte = current else { throw problem("the JSON ends where a value was expected") }
            switch byte {
            case UInt8(ascii: "{"): try object()
            case UInt8(ascii: "["): try array()
            case UInt8(ascii: "\""): _ = try string(keepingText: false)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default: throw problem("unexpected character where a value was expected")
            }
        }

        mutating func enter() throws(Problem) {
            depth += 1
            if depth > maxDepth { throw problem("the JSON is nested more than \(maxDepth) levels deep") }
        }

        mutating func object() throws(Problem) {
            try enter()
            index += 1
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                index += 1
                depth -= 1
                return
            }
            var keys = Set<String>()
            while true {
                guard current == UInt8(ascii: "\"") else {
                    throw problem(keys.isEmpty ? "an object key must be a string" : "a trailing comma or a key that is not a string")
                }
                let keyStart = index
                let key = try string(keepingText: true) ?? ""
                if !keys.insert(key).inserted {
                    index = keyStart
                    throw problem("the key \"\(key.prefix(64))\" appears twice in one object")
                }
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw problem("expected `:` after an object key") }
                index += 1
                skipWhitespace()
                try value()
                skipWhitespace()
                switch current {
                case UInt8(ascii: ",")?:
                    index += 1
                    skipWhitespace()
                case UInt8(ascii: "}")?:
                    index += 1
                    depth -= 1
                    return
                default:
                    throw problem("expected `,` or `}` in an object")
                }
            }
        }

        mutating func array() throws(Problem) {
            try enter()
            index += 1
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                index += 1
                depth -= 1
                return
            }
            while true {
                if current == UInt8(ascii: "]") { throw problem("a trailing comma in an array") }
                try value()
                skipWhitespace()
                switch current {
                case UInt8(ascii: ",")?:
                    index += 1
                    skipWhitespace()
                case UInt8(ascii: "]")?:
                    index += 1
                    depth -= 1
                    return
                default:
                    throw problem("expected `,` or `]` in an array")
                }
            }
        }

        /// Reads a string; returns its unescaped text when `keepingText` (for keys).
        mutating func string(keepingText: Bool) throws(Problem) -> String? {
            index += 1
            let start = index
            var text: [UInt8] = []
            var escaped = false
            while true {
                guard let byte = current else { throw problem("a string is not closed") }
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    guard keepingText else { return nil }
                    let raw = escaped ? text : Array(bytes[start..<(index - 1)])
                    guard let value = String(validating: raw, as: UTF8.self) else { throw problem("a key is not valid UTF-8") }
                    return value
                case UInt8(ascii: "\\"):
                    if keepingText && !escaped {
                        escaped = true
                        text = Array(bytes[start..<index])
                    }
                    index += 1
                    guard let next = current else { throw problem("a string is not closed") }
                    index += 1
                    switch next {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"):
                        if keepingText { text.append(next) }
                    case UInt8(ascii: "b"): if keepingText { text.append(0x08) }
                    case UInt8(ascii: "f"): if keepingText { text.append(0x0C) }
                    case UInt8(ascii: "n"): if keepingText { text.append(0x0A) }
                    case UInt8(ascii: "r"): if keepingText { text.append(0x0D) }
                    case UInt8(ascii: "t"): if keepingText { text.append(0x09) }
                    case UInt8(ascii: "u"):
                        let unit = try hex4()
                        if keepingText { try appendUnicode(unit, to: &text) }
                    default:
                        index -= 1
                        throw problem("an invalid escape in a string")
                    }
                case 0x00..<0x20:
                    throw problem("a control character in a string (escape it)")
                default:
                    if keepingText && escaped { text.append(byte) }
                    index += 1
                }
            }
        }

        mutating func hex4() throws(Problem) -> UInt16 {
            var value: UInt16 = 0
            for _ in 0..<4 {
                guard let byte = current else { throw problem("a string is not closed") }
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw problem("a \\u escape needs four hexadecimal digits")
                }
                value = value << 4 | UInt16(digit)
                index += 1
            }
            return value
        }

        /// Appends the UTF-8 of a `\u` escape (a surrogate pair takes the next escape too).
        mutating func appendUnicode(_ unit: UInt16, to text: inout [UInt8]) throws(Problem) {
            var scalar: Unicode.Scalar?
            if (0xD800..<0xDC00).contains(unit) {
                guard current == UInt8(ascii: "\\"), index + 1 < bytes.endIndex, bytes[index + 1] == UInt8(ascii: "u") else {
                    throw problem("a lone surrogate in a \\u escape")
                }
                index += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw problem("a lone surrogate in a \\u escape") }
                scalar = Unicode.Scalar(0x10000 + (UInt32(unit - 0xD800) << 10) + UInt32(low - 0xDC00))
            } else {
                scalar = Unicode.Scalar(unit)
            }
            guard let scalar else { throw problem("a lone surrogate in a \\u escape") }
            text.append(contentsOf: Array(String(Character(scalar)).utf8))
        }

        mutating func number() throws(Problem) {
            if current == UInt8(ascii: "-") { index += 1 }
            guard let first = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
                throw problem("a number needs digits")
            }
            if first == UInt8(ascii: "0") {
                index += 1
                if let next = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(next) {
                    throw problem("a number has a leading zero")
                }
            } else {
                skipDigits()
            }
            if current == UInt8(ascii: ".") {
                index += 1
                guard skipDigits() > 0 else { throw problem("a number needs digits after the decimal point") }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard skipDigits() > 0 else { throw problem("a number needs digits in its exponent") }
            }
        }

        @discardableResult
        mutating func skipDigits() -> Int {
            let start = index
            while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
            return index - start
        }

        mutating func literal(_ word: StaticString) throws(Problem) {
            let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            for byte in expected {
                guard current == byte else { throw problem("unexpected word where a value was expected") }
                index += 1
            }
        }
    }
}
