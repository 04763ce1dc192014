import Foundation

/// Renders the Markdown of run reports (which models write) as HTML that is safe to show:
/// every piece of text is escaped, raw HTML in the input stays text, and links keep only
/// `http`, `https`, `mailto` and same-site targets. Covers what reports use: headings,
/// paragraphs, lists, block quotes, fenced code, tables, rules, code spans, bold, italics, links.
enum Markdown {
    /// Block quotes nest at most this deep; deeper `>` markers stay text (a report of a
    /// hundred thousand `>` must not recurse as deep).
    static let maxQuoteDepth = 8

    static func html(_ markdown: String) -> HTML { html(markdown, depth: 0) }

    private static func html(_ markdown: String, depth: Int) -> HTML {
        var out = ""
        var lines = markdown.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)[...]
        while let line = lines.first {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty {
                lines.removeFirst()
            } else if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                let fence = String(trimmed.prefix(3))
                lines.removeFirst()
                var code: [String] = []
                while let next = lines.first, !next.trimmingCharacters(in: .whitespaces).hasPrefix(fence) {
                    code.append(next)
                    lines.removeFirst()
                }
                if !lines.isEmpty { lines.removeFirst() }
                out += "<pre><code>\(HTML.escape(code.joined(separator: "\n")))</code></pre>\n"
            } else if let level = headingLevel(trimmed) {
                lines.removeFirst()
                let text = trimmed.dropFirst(level).trimmingCharacters(in: .whitespaces)
                out += "<h\(level)>\(inline(text))</h\(level)>\n"
            } else if isRule(trimmed) {
                lines.removeFirst()
                out += "<hr>\n"
            } else if trimmed.hasPrefix(">") {
                var quoted: [String] = []
                while let next = lines.first?.trimmingCharacters(in: .whitespaces), next.hasPrefix(">") {
                    quoted.append(String(next.dropFirst()).trimmingCharacters(in: .whitespaces))
                    lines.removeFirst()
                }
                let inner =
                    depth < maxQuoteDepth
                    ? html(quoted.joined(separator: "\n"), depth: depth + 1).rendered
                    : "<p>\(HTML.escape(quoted.joined(separator: " ")))</p>\n"
                out += "<blockquote>\(inner)</blockquote>\n"
            } else if listMarker(trimmed) != nil {
                let ordered = listMarker(trimmed)!
                var items: [String] = []
                while let next = lines.first?.trimmingCharacters(in: .whitespaces), !next.isEmpty {
                    if let marker = listMarker(next), marker == ordered {
                        items.append(itemText(next))
                    } else if !items.isEmpty, lines.first!.hasPrefix("  ") || lines.first!.hasPrefix("\t") {
                        items[items.count - 1] += " " + next  // a continuation or nested line
                    } else {
                        break
                    }
                    lines.removeFirst()
                }
                let tag = ordered ? "ol" : "ul"
                out += "<\(tag)>" + items.map { "<li>\(inline($0))</li>" }.joined() + "</\(tag)>\n"
            } else if trimmed.hasPrefix("|"), lines.count > 1, isTableDivider(lines[lines.startIndex + 1]) {
                let header = cells(trimmed)
                let alignments = cells(lines[lines.startIndex + 1]).map { $0.hasSuffix(":") ? " class=\"num\"" : "" }
                lines.removeFirst(2)
                var rows: [[String]] = []
                while let next = lines.first?.trimmingCharacters(in: .whitespaces), next.hasPrefix("|") {
                    rows.append(cells(next))
                    lines.removeFirst()
                }
                func row(_ values: [String], _ tag: String) -> String {
                    "<tr>" + values.enumerated().map { index, value in
                        "<\(tag)\(index < alignments.count ? alignments[index] : "")>\(inline(value))</\(tag)>"
                    }.joined() + "</tr>"
                }
                out += "<div class=\"table-scroll\"><table><thead>\(row(header, "th"))</thead><tbody>"
                out += rows.map { row($0, "td") }.joined() + "</tbody></table></div>\n"
            } else {
                var paragraph: [String] = []
                while let next = lines.first, case let text = next.trimmingCharacters(in: .whitespaces), !text.isEmpty,
                    paragraph.isEmpty || !startsBlock(text)
                {
                    paragraph.append(text)
                    lines.removeFirst()
                }
                out += "<p>\(paragraph.map(inline).joined(separator: "<br>"))</p>\n"
            }
        }
        return HTML(unsafeRaw: out)
    }

    private static func startsBlock(_ line: String) -> Bool {
        headingLevel(line) != nil || line.hasPrefix("```") || line.hasPrefix(">") || listMarker(line) != nil || line.hasPrefix("|") || isRule(line)
    }

    private static func headingLevel(_ line: String) -> Int? {
        let hashes = line.prefix(while: { $0 == "#" }).count
        guard (1...6).contains(hashes), line.dropFirst(hashes).first == " " else { return nil }
        return hashes
    }

    private static func isRule(_ line: String) -> Bool {
        let compact = line.replacingOccurrences(of: " ", with: "")
        return compact.count >= 3 && (Set(compact) == ["-"] || Set(compact) == ["*"] || Set(compact) == ["_"])
    }

    /// `false` for a bullet (`-`, `*`, `+`), `true` for `1.` / `1)`, `nil` for neither.
    private static func listMarker(_ line: String) -> Bool? {
        if let first = line.first, "-*+".contains(first), line.dropFirst().first == " " { return false }
        let digits = line.prefix(while: \.isNumber)
        if !digits.isEmpty, digits.count <= 9, let mark = line.dropFirst(digits.count).first, mark == "." || mark == ")",
            line.dropFirst(digits.count + 1).first == " "
        {
            return true
        }
        return nil
    }

    private static func itemText(_ line: String) -> String {
        if listMarker(line) == false { return String(line.dropFirst(2)) }
        return String(line.drop(while: \.isNumber).dropFirst(2))
    }

    private static func isTableDivider(_ line: String) -> Bool {
        let text = line.trimmingCharacters(in: .whitespaces)
        return text.hasPrefix("|") && text.contains("-") && text.allSatisfy { "|-: ".contains($0) }
    }

    private static func cells(_ line: String) -> [String] {
        var text = line.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("|") { text.removeFirst() }
        if text.hasSuffix("|") && !text.hasSuffix("\\|") { text.removeLast() }
        var cells: [String] = []
        var current = ""
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "|" {
                cells.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(character)
            }
        }
        cells.append(current.trimmingCharacters(in: .whitespaces))
        return cells
    }

    /// Inline markup of one line: code spans first (their content is literal), then links,
    /// bold and italics on escaped text.
    static func inline(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let tick = rest.firstIndex(of: "`") {
            out += emphasis(rest[..<tick])
            let after = rest[rest.index(after: tick)...]
            guard let close = after.firstIndex(of: "`") else {
                out += emphasis(rest[tick...])
                return out
            }
            out += "<code>\(HTML.escape(String(after[..<close])))</code>"
            rest = after[after.index(after: close)...]
        }
        return out + emphasis(rest)
    }

    private static func emphasis(_ text: Substring) -> String {
        var out = ""
        var rest = text
        // Links: [label](target)
        while let open = rest.firstIndex(of: "["), let close = rest[open...].firstIndex(of: "]"),
            rest.index(after: close) < rest.endIndex, rest[rest.index(after: close)] == "(",
            let end = rest[close...].firstIndex(of: ")")
        {
            out += styled(rest[..<open])
            let label = rest[rest.index(after: open)..<close]
            let target = String(rest[rest.index(close, offsetBy: 2)..<end]).trimmingCharacters(in: .whitespaces)
            if isSafeLink(target) {
                out += "<a href=\"\(HTML.escape(target))\" rel=\"noopener noreferrer\">\(styled(label))</a>"
            } else {
                out += styled(label)
            }
            rest = rest[rest.index(after: end)...]
        }
        return out + styled(rest)
    }

    private static func styled(_ text: Substring) -> String {
        var escaped = HTML.escape(String(text)).replacingOccurrences(of: "\\*", with: "&#42;").replacingOccurrences(of: "\\_", with: "&#95;")
        for (marker, tag) in [("**", "strong"), ("__", "strong"), ("*", "em"), ("_", "em")] {
            escaped = wrap(escaped, marker: marker, tag: tag)
        }
        return escaped
    }

    /// Replaces pairs of `marker` around non-space text with `<tag>`.
    private static func wrap(_ text: String, marker: String, tag: String) -> String {
        let parts = text.components(separatedBy: marker)
        guard parts.count >= 3 else { return text }
        var out = parts[0]
        var index = 1
        while index < parts.count {
            let inner = parts[index]
            if index + 1 < parts.count, !inner.isEmpty, inner.first != " ", inner.last != " ",
                marker.first != "_" || (out.last.map { !$0.isLetter && !$0.isNumber } ?? true)
            {
                out += "<\(tag)>\(inner)</\(tag)>" + parts[index + 1]
                index += 2
            } else {
                out += marker + inner
                index += 1
            }
        }
        return out
    }

    private static func isSafeLink(_ target: String) -> Bool {
        let lower = target.lowercased()
        if lower.hasPrefix("https://") || lower.hasPrefix("http://") || lower.hasPrefix("mailto:") { return true }
        return lower.hasPrefix("/") && !lower.hasPrefix("//") || lower.hasPrefix("#")
    }
}
