import Foundation

/// Normalisation of provider base URLs as users write them.
enum BaseURL {
    /// Ollama's default address.
    static let ollamaDefaultHost = "http://localhost:11434"

    /// The warning added when a trailing `/v1` is removed.
    static let strippedV1Warning =
        "ends with /v1, which KimiSwarm adds itself; the /v1 was removed (write the base URL as the official SDK takes it, e.g. http://host:port)"

    /// `url` without a trailing `/v1`, or `nil` when it has none.
    static func strippingV1(_ url: String) -> String? {
        var trimmed = Substring(url)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard trimmed.lowercased().hasSuffix("/v1") else { return nil }
        trimmed = trimmed.dropLast(3)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }

    /// The OpenAI-compatible base URL (`<host>/v1`) for an `OLLAMA_HOST` value, read as Ollama
    /// reads it: `host:port`, `host` (port 11434) and `:port` (host 127.0.0.1) without a
    /// scheme mean plain http; `http://host` and `https://host` keep their scheme's port.
    /// `strippedV1` is true when the value already ended with `/v1`.
    static func ollama(_ value: String) -> Result<(url: String, strippedV1: Bool), SettingError> {
        var text = value.trimmingWhitespace
        if text.isEmpty { text = ollamaDefaultHost }
        let hasScheme = text.contains("://")
        if !hasScheme { text = "http://" + text }
        let invalid = SettingError("is not a valid Ollama host (expected host:port or http://host:port)")
        guard var components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            components.query == nil, components.fragment == nil
        else { return .failure(invalid) }
        if (components.host ?? "").isEmpty {
            // `:11434` or `http://:11434`: Ollama's own fallback host.
            guard components.port != nil || !hasScheme else { return .failure(invalid) }
            components.host = "127.0.0.1"
        }
        if !hasScheme, components.port == nil { components.port = 11434 }
        components.scheme = scheme
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        var strippedV1 = false
        if let stripped = strippingV1("http://x" + path) {
            path = String(stripped.dropFirst("http://x".count))
            strippedV1 = true
        }
        components.path = path
        guard let base = components.string else { return .failure(invalid) }
        return .success((base + "/v1", strippedV1))
    }
}
