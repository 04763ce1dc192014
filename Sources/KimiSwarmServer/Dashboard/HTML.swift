import Foundation

/// A piece of HTML that is safe to send: text interpolated into it is escaped, and only other
/// `HTML` values are inserted as markup. Pages are written as string literals of this type,
/// so forgetting to escape a task, a template or an agent's output is not possible.
///
/// ```swift
/// let row: HTML = "<td>\(run.task)</td>"   // run.task is escaped
/// ```
struct HTML: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    private(set) var rendered: String

    init(stringLiteral value: String) { rendered = value }
    init(stringInterpolation: StringInterpolation) { rendered = stringInterpolation.output }
    /// Markup produced by trusted code (the Markdown renderer, the SVG drawing); never user text.
    init(unsafeRaw markup: String) { rendered = markup }

    var description: String { rendered }

    static let empty: HTML = ""

    struct StringInterpolation: StringInterpolationProtocol {
        var output = ""

        init(literalCapacity: Int, interpolationCount: Int) { output.reserveCapacity(literalCapacity + interpolationCount * 16) }

        mutating func appendLiteral(_ literal: String) { output += literal }
        mutating func appendInterpolation(_ text: String) { output += HTML.escape(text) }
        mutating func appendInterpolation(_ text: Substring) { output += HTML.escape(String(text)) }
        mutating func appendInterpolation(_ text: String?) { if let text { output += HTML.escape(text) } }
        mutating func appendInterpolation(_ html: HTML) { output += html.rendered }
        mutating func appendInterpolation(_ html: HTML?) { if let html { output += html.rendered } }
        mutating func appendInterpolation(_ parts: [HTML]) { for part in parts { output += part.rendered } }
        mutating func appendInterpolation(_ number: Int) { output += String(number) }
        mutating func appendInterpolation(_ number: Double) { output += HTML.format(number) }
    }

    /// Escapes the five characters that matter in text and in quoted attribute values.
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 38 || $0 == 60 || $0 == 62 || $0 == 34 || $0 == 39 }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// A number for SVG coordinates: at most two decimals, no exponent.
    static func format(_ number: Double) -> String {
        guard number.isFinite else { return "0" }
        let rounded = (number * 100).rounded() / 100
        // (Beyond ±1e15 no drawing needs the digits; and `Int(_:)` would trap past 2^63.)
        if abs(rounded) >= 1e15 { return String(format: "%.0f", rounded) }
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        return String(format: "%.2f", rounded)
    }

    /// Joins pieces with an optional separator.
    static func join(_ parts: [HTML], separator: HTML = "") -> HTML {
        HTML(unsafeRaw: parts.map(\.rendered).joined(separator: separator.rendered))
    }
}

extension HTML {
    /// `selected` / `checked` and the like when `flag` holds.
    static func attribute(_ name: String, when flag: Bool) -> HTML { flag ? HTML(unsafeRaw: " " + name) : "" }
}
