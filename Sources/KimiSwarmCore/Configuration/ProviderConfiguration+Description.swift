import Foundation

extension ProviderConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// A summary safe for logs: the key prints as `***`, header values and any credentials or
    /// query in the base URL are hidden.
    public var description: String {
        var parts = ["id: \(id)", "kind: \(kind.rawValue)", "baseURL: \(Self.redactedURL(baseURL))"]
        parts.append("apiKey: \(apiKey == nil ? "none" : "***")")
        if let apiKeyVariable { parts.append("apiKeyVariable: \(apiKeyVariable)") }
        if let defaultModel { parts.append("defaultModel: \(defaultModel)") }
        if !headers.isEmpty { parts.append("headers: [\(headers.keys.sorted().map { "\($0): ***" }.joined(separator: ", "))]") }
        return "ProviderConfiguration(\(parts.joined(separator: ", ")))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "id": id, "kind": kind, "baseURL": Self.redactedURL(baseURL), "apiKey": apiKey as Any,
                "defaultModel": defaultModel as Any, "headerNames": headers.keys.sorted(),
            ],
            displayStyle: .struct)
    }

    /// The URL with `user:password@` and the query replaced by `***`.
    public static func redactedURL(_ url: String) -> String {
        var text = url
        if let query = text.firstIndex(of: "?") { text = String(text[..<query]) + "?***" }
        if let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@"),
            !text[scheme.upperBound..<at].contains("/")
        {
            text = String(text[..<scheme.upperBound]) + "***@" + String(text[text.index(after: at)...])
        }
        return text
    }
}
