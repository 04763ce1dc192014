import Foundation
import KimiSwarmCore

/// An `http`/`https` URL split into what `http_get` needs: the parsed host (the very value
/// that is checked and then connected to), port, request target and credentials.
struct HTTPGetURL: Sendable, Hashable {
    enum Scheme: String, Sendable {
        case http, https
        var defaultPort: Int { self == .http ? 80 : 443 }
    }

    var scheme: Scheme
    var host: URLHost
    var port: Int
    /// Path and query, as sent in the request line (`/` when empty).
    var target: String
    /// `user:password` from the URL's userinfo, percent-decoded; never shown in messages.
    var credentials: String?

    /// `scheme://host[:port]`, which decides when credentials are dropped.
    var origin: String { "\(scheme.rawValue)://\(authority)" }

    /// The `Host` header value: the host with the port when it is not the scheme's default.
    var authority: String { port == scheme.defaultPort ? host.description : "\(host):\(port)" }

    /// The URL without credentials or fragment, safe to show to the model.
    var redacted: String { origin + target }

    /// Parses an absolute URL. Errors name the scheme or host refused and never repeat credentials.
    init(parsing text: String) throws(ToolError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let colon = trimmed.firstIndex(of: ":") else {
            throw ToolError(
                "refused: \"\(Self.clipped(trimmed))\" has no scheme; only http:// and https:// URLs can be fetched")
        }
        let schemeText = trimmed[..<colon].lowercased()
        guard let scheme = Scheme(rawValue: schemeText) else {
            throw ToolError(
                "refused: the \(schemeText.isEmpty ? "empty" : "\"\(Self.clipped(schemeText))\"") scheme is not supported; only http:// and https:// URLs can be fetched"
            )
        }
        let rest = trimmed[trimmed.index(after: colon)...]
        guard rest.hasPrefix("//") else {
            throw ToolError("refused: a \(scheme.rawValue) URL must start with \(scheme.rawValue)://")
        }
        let afterSlashes = rest.dropFirst(2)
        if afterSlashes.contains(where: {
            $0 == "\\" || $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } == true
        }) {
            throw ToolError("refused: the URL contains backslashes, spaces or control characters; percent-encode them")
        }
        let authorityEnd = afterSlashes.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterSlashes.endIndex
        var authority = afterSlashes[..<authorityEnd]
        var remainder = afterSlashes[authorityEnd...]
        if let hash = remainder.firstIndex(of: "#") { remainder = remainder[..<hash] }
        var credentials: String?
        if let at = authority.lastIndex(of: "@") {
            let userinfo = String(authority[..<at])
            credentials = userinfo.removingPercentEncoding ?? userinfo
            authority = authority[authority.index(after: at)...]
        }
        var hostText = authority
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw ToolError("refused: the URL's IPv6 host has no closing bracket")
            }
            hostText = authority[...close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw ToolError("refused: the URL's host is malformed") }
                portText = after.dropFirst()
            }
        } else if let portColon = authority.lastIndex(of: ":") {
            hostText = authority[..<portColon]
            portText = authority[authority.index(after: portColon)...]
        }
        var port = scheme.defaultPort
        if let portText, !portText.isEmpty {
            guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(portText),
                (1...65535).contains(value)
            else { throw ToolError("refused: \"\(Self.clipped(String(portText)))\" is not a valid port") }
            port = value
        }
        self.scheme = scheme
        self.host = try URLHost(parsing: String(hostText))
        self.port = port
        let target = remainder.isEmpty ? "/" : (remainder.hasPrefix("?") ? "/" + remainder : String(remainder))
        self.target = Self.percentEncodingUnsafeBytes(target)
        self.credentials = credentials.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Resolves a `Location` header against this URL (RFC 3986 reference resolution).
    func resolving(location: String) throws(ToolError) -> HTTPGetURL {
        let location = location.trimmingCharacters(in: .whitespaces)
        if let colon = location.firstIndex(of: ":"),
            location[..<colon].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }),
            !location[..<colon].isEmpty
        {
            return try HTTPGetURL(parsing: location)
        }
        if location.hasPrefix("//") {
            return try HTTPGetURL(parsing: "\(scheme.rawValue):\(location)")
        }
        let withoutFragment = location.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        var resolved = self
        resolved.credentials = nil
        if withoutFragment.isEmpty {
            return resolved
        } else if withoutFragment.hasPrefix("/") {
            resolved.target = Self.removingDotSegments(String(withoutFragment))
        } else if withoutFragment.hasPrefix("?") {
            let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "/"
            resolved.target = String(path + withoutFragment)
        } else {
            let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "/"
            let directory = path.lastIndex(of: "/").map { path[...$0] } ?? "/"
            resolved.target = Self.removingDotSegments(String(directory + withoutFragment))
        }
        resolved.target = Self.percentEncodingUnsafeBytes(resolved.target)
        return resolved
    }

    /// The `Authorization: Basic` value for the URL's credentials (`user` alone means an empty password).
    var basicAuthorization: String? {
        credentials.map { "Basic " + Data(($0.contains(":") ? $0 : $0 + ":").utf8).base64EncodedString() }
    }

    /// The request target with spaces, controls and non-ASCII bytes percent-encoded, as a browser sends them.
    private static func percentEncodingUnsafeBytes(_ target: String) -> String {
        let safe: (UInt8) -> Bool = { $0 > 0x20 && $0 < 0x7F }
        guard !target.utf8.allSatisfy(safe) else { return target }
        var encoded = ""
        for byte in target.utf8 {
            if safe(byte) {
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                encoded += (byte < 0x10 ? "%0" : "%") + String(byte, radix: 16, uppercase: true)
            }
        }
        return encoded
    }

    private static func removingDotSegments(_ target: String) -> String {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var output: [Substring] = []
        let segments = parts[0].split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        for (index, segment) in segments.enumerated() {
            let isLast = index == segments.count - 1
            switch segment {
            case ".":
                if isLast { output.append("") }
            case "..":
                if !output.isEmpty { output.removeLast() }
                if isLast { output.append("") }
            default:
                output.append(segment)
            }
        }
        let path = "/" + output.joined(separator: "/")
        return parts.count == 2 ? path + "?" + parts[1] : path
    }

    private static func clipped(_ text: String) -> String {
        // Never echo what could be credentials: cut at "@" and keep it short.
        let safe = text.split(separator: "@", maxSplits: 1).first.map(String.init) ?? ""
        return safe.count > 40 ? String(safe.prefix(40)) + "…" : safe
    }
}
