import Foundation
import KimiSwarmCore
import NIOHTTP1

/// Turns a final response into the text the model reads: a header block (URL, status,
/// content type, redirects, title), then the text, then notes about anything cut.
enum HTTPGetContent {
    enum Kind: Equatable {
        case html, text, binary
    }

    struct Input {
        var requested: HTTPGetURL
        var final: HTTPGetURL
        var redirects: Int
        var response: HTTPGetResponse
        var byteLimit: Int
        var maxTextCharacters: Int
    }

    static func render(_ input: Input) throws(ToolError) -> String {
        let response = input.response
        let status = "\(response.status.code) \(response.status.reasonPhrase)"
        guard (200..<300).contains(response.status.code) else {
            throw ToolError("HTTP \(status) from \(input.final.redacted); the page could not be fetched")
        }
        let contentType = response.headers.first(name: "content-type") ?? ""
        let fields = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let mime = fields.first ?? ""
        let charset = fields.dropFirst().first { $0.hasPrefix("charset=") }.map {
            $0.dropFirst(8).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }
        let kind = classify(mime: mime, body: response.body)
        guard kind != .binary else {
            throw ToolError(
                "binary content (\(mime.isEmpty ? "unlabelled binary data" : mime)) not returned: http_get returns only text such as HTML, plain text, JSON, XML or Markdown (\(input.final.redacted))"
            )
        }
        var lines = ["URL: \(input.final.redacted)  status: \(status)"]
        if !mime.isEmpty { lines.append("Content-Type: \(mime)") }
        if input.redirects > 0 {
            lines.append(
                "Redirected \(input.redirects) time\(input.redirects == 1 ? "" : "s") from \(input.requested.redacted)")
        }
        var text: String
        let decoded = decode(response.body, charset: charset)
        if kind == .html {
            let page = HTMLText(html: Array(decoded.utf8))
            if let title = page.title { lines.append("Title: \(title)") }
            text = page.text
        } else {
            text = decoded
        }
        var notes: [String] = []
        if response.truncated {
            notes.append(
                "[truncated: the body is larger than \(input.byteLimit) bytes; only the first \(input.byteLimit) bytes were read]"
            )
        }
        if response.incomplete {
            notes.append("[incomplete: the server closed the connection before the body was complete]")
        }
        if text.count > input.maxTextCharacters {
            text = String(text.prefix(max(0, input.maxTextCharacters)))
            notes.append("[truncated: the text is longer than \(input.maxTextCharacters) characters; the rest was cut]")
        }
        return (lines + ["", text] + (notes.isEmpty ? [] : [""] + notes)).joined(separator: "\n")
    }

    static func classify(mime: String, body: [UInt8]) -> Kind {
        switch mime {
        case "text/html", "application/xhtml+xml":
            return .html
        case _ where mime.hasPrefix("text/"):
            return .text
        case "application/json", "application/xml", "application/javascript", "application/ecmascript",
            "application/x-javascript", "application/yaml", "application/x-yaml", "application/toml",
            "application/x-ndjson", "application/ndjson", "application/markdown", "application/x-sh",
            "application/sql", "application/graphql", "application/csv":
            return .text
        case _ where mime.hasSuffix("+json") || mime.hasSuffix("+xml") || mime.hasSuffix("+yaml"):
            return .text
        case "":
            return sniff(body)
        default:
            return .binary
        }
    }

    /// For a response without a content type: text when it is valid UTF-8 without NUL bytes.
    private static func sniff(_ body: [UInt8]) -> Kind {
        let sample = Array(body.prefix(4096))
        guard !sample.contains(0) else { return .binary }
        // A sample cut mid-character is still text: allow up to 3 bytes of a cut sequence.
        let valid = (0...3).contains { cut in
            sample.count >= cut && String(validating: sample.dropLast(cut), as: UTF8.self) != nil
        }
        guard valid else { return .binary }
        let start = String(decoding: sample.prefix(256), as: UTF8.self).lowercased()
        let trimmed = start.drop { $0.isWhitespace }
        return trimmed.hasPrefix("<!doctype html") || trimmed.hasPrefix("<html") ? .html : .text
    }

    /// UTF-8 (lossy) unless the charset is a Latin-1 family one.
    private static func decode(_ body: [UInt8], charset: String?) -> String {
        switch charset ?? "" {
        case "iso-8859-1", "latin1", "iso8859-1", "windows-1252", "cp1252", "us-ascii", "ascii":
            return String(String.UnicodeScalarView(body.map { Unicode.Scalar($0) }))
        default:
            return String(decoding: body, as: UTF8.self)
        }
    }
}
