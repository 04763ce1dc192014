import Foundation
import KimiSwarmCore

/// Why a setting's text could not be read, as the end of a sentence that starts with the
/// setting's name and value: `KIMI_RETRY__MAX_ATTEMPTS='abc' is not an integer (expected 1...10)`.
struct SettingError: Error, Sendable {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Parsers for the text of a setting, shared by environment variables and the config file so
/// that both accept exactly the same spellings.
enum SettingValue {
    /// Longest duration accepted, so that a typo cannot park a process for years.
    static let maximumSeconds: Int64 = 31_536_000

    /// An integer within `range`.
    static func integer(_ text: String, in range: ClosedRange<Int>) -> Result<Int, SettingError> {
        let expected = describe(range)
        guard let value = Int(text.trimmingWhitespace) else {
            return .failure(SettingError("is not an integer (expected \(expected))"))
        }
        guard range.contains(value) else {
            return .failure(SettingError("is out of range (expected \(expected))"))
        }
        return .success(value)
    }

    /// A number of seconds greater than zero; decimals allowed (`0.5`), read exactly (to the
    /// attosecond) rather than through a binary floating-point number.
    static func seconds(_ text: String) -> Result<Duration, SettingError> {
        let trimmed = text.trimmingWhitespace
        guard isPlainDecimal(trimmed) else {
            return .failure(SettingError("is not a number of seconds (expected a number greater than 0, e.g. 0.5 or 30)"))
        }
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        var fraction = String(parts.count > 1 ? parts[1].prefix(18) : "")
        fraction += String(repeating: "0", count: 18 - fraction.count)
        let whole = parts[0].isEmpty ? 0 : Int64(parts[0])
        guard let whole, let attoseconds = Int64(fraction),
            whole < maximumSeconds || (whole == maximumSeconds && attoseconds == 0),
            whole > 0 || attoseconds > 0
        else {
            return .failure(SettingError("is out of range (expected seconds greater than 0 and at most \(maximumSeconds))"))
        }
        return .success(Duration(secondsComponent: whole, attosecondsComponent: attoseconds))
    }

    /// A number of seconds, as ``seconds(_:)`` reads it, within `range`.
    static func seconds(_ text: String, in range: ClosedRange<Duration>) -> Result<Duration, SettingError> {
        seconds(text).flatMap { value in
            guard range.contains(value) else {
                let bounds = "\(range.lowerBound.components.seconds) to \(range.upperBound.components.seconds)"
                return .failure(SettingError("is out of range (expected \(bounds) seconds)"))
            }
            return .success(value)
        }
    }

    /// A price in US dollars (`15`, `0.6`), written as a plain decimal, at most 1,000,000.
    static func price(_ text: String) -> Result<Decimal, SettingError> {
        let trimmed = text.trimmingWhitespace
        guard isPlainDecimal(trimmed), let value = Decimal(string: trimmed.hasPrefix(".") ? "0" + trimmed : trimmed) else {
            return .failure(SettingError("is not a price (expected US dollars as a plain number, e.g. 15 or 0.6)"))
        }
        guard value <= 1_000_000 else {
            return .failure(SettingError("is out of range (expected 0 to 1000000 US dollars)"))
        }
        return .success(value)
    }

    /// A fraction in 0...1 (`0.2`), written as a plain decimal.
    static func fraction(_ text: String) -> Result<Double, SettingError> {
        let trimmed = text.trimmingWhitespace
        guard isPlainDecimal(trimmed), let value = Double(trimmed.hasPrefix(".") ? "0" + trimmed : trimmed) else {
            return .failure(SettingError("is not a fraction (expected a number from 0 to 1, e.g. 0.2)"))
        }
        guard (0...1).contains(value) else {
            return .failure(SettingError("is out of range (expected a number from 0 to 1, e.g. 0.2)"))
        }
        return .success(value)
    }

    /// A boolean: `true/false`, `1/0`, `yes/no`, `on/off`, in any case.
    static func bool(_ text: String) -> Result<Bool, SettingError> {
        switch text.trimmingWhitespace.lowercased() {
        case "true", "1", "yes", "on": return .success(true)
        case "false", "0", "no", "off": return .success(false)
        default: return .failure(SettingError("is not a boolean (expected true/false, 1/0, yes/no or on/off)"))
        }
    }

    /// A log level, in any case; `warn` means `warning`.
    static func logLevel(_ text: String) -> Result<ObservabilitySettings.LogLevel, SettingError> {
        var name = text.trimmingWhitespace.lowercased()
        if name == "warn" { name = "warning" }
        guard let level = ObservabilitySettings.LogLevel(rawValue: name) else {
            let allowed = ObservabilitySettings.LogLevel.allCases.map(\.rawValue).joined(separator: ", ")
            return .failure(SettingError("is not a log level (expected one of \(allowed))"))
        }
        return .success(level)
    }

    /// A log format, in any case.
    static func logFormat(_ text: String) -> Result<ObservabilitySettings.LogFormat, SettingError> {
        guard let format = ObservabilitySettings.LogFormat(rawValue: text.trimmingWhitespace.lowercased()) else {
            let allowed = ObservabilitySettings.LogFormat.allCases.map(\.rawValue).joined(separator: ", ")
            return .failure(SettingError("is not a log format (expected one of \(allowed))"))
        }
        return .success(format)
    }

    /// A provider kind as written in the config file.
    static func providerKind(_ text: String) -> Result<ProviderKind, SettingError> {
        guard let kind = ProviderKind(rawValue: text.trimmingWhitespace.lowercased()) else {
            let allowed = ProviderKind.allCases.map(\.rawValue).joined(separator: ", ")
            return .failure(SettingError("is not a provider kind (expected one of \(allowed))"))
        }
        return .success(kind)
    }

    /// An OpenAI-compatible dialect as written in the config file.
    static func dialect(_ text: String) -> Result<OpenAIDialect, SettingError> {
        guard let dialect = OpenAIDialect(rawValue: text.trimmingWhitespace.lowercased()) else {
            let allowed = OpenAIDialect.allCases.map(\.rawValue).joined(separator: ", ")
            return .failure(SettingError("is not a dialect (expected one of \(allowed))"))
        }
        return .success(dialect)
    }

    /// A rate-limit preset by name (`moonshot_tier2`), in any case.
    static func rateLimitPreset(_ text: String) -> Result<RateLimitPreset, SettingError> {
        guard let preset = RateLimitPreset(rawValue: text.trimmingWhitespace.lowercased()) else {
            let allowed = RateLimitPreset.allCases.map(\.rawValue).joined(separator: ", ")
            return .failure(SettingError("is not a rate-limit preset (expected one of \(allowed))"))
        }
        return .success(preset)
    }

    /// A Moonshot account tier (`KIMI_MOONSHOT_TIER`): `0` to `5`, `tier2` or `moonshot_tier2`.
    static func moonshotTier(_ text: String) -> Result<RateLimitPreset, SettingError> {
        var name = text.trimmingWhitespace.lowercased()
        if name.hasPrefix("moonshot_") { name.removeFirst("moonshot_".count) }
        if name.hasPrefix("tier") { name.removeFirst("tier".count) }
        guard let tier = Int(name), let preset = RateLimitPreset.moonshot(tier: tier) else {
            return .failure(SettingError("is not a Moonshot account tier (expected 0 to 5, e.g. 2, tier2 or moonshot_tier2)"))
        }
        return .success(preset)
    }

    /// A file path: any non-empty text, surrounding whitespace removed.
    static func filePath(_ text: String) -> Result<String, SettingError> {
        let path = text.trimmingWhitespace
        return path.isEmpty ? .failure(SettingError("is empty (expected a file path)")) : .success(path)
    }

    /// A model id: any non-empty text without whitespace inside.
    static func modelID(_ text: String) -> Result<String, SettingError> {
        let id = text.trimmingWhitespace
        if id.isEmpty { return .failure(SettingError("is empty (expected a model id such as kimi-k2.6)")) }
        if id.contains(where: \.isWhitespace) { return .failure(SettingError("contains whitespace (expected a model id such as kimi-k2.6)")) }
        return .success(id)
    }

    /// A host name or IP address to listen on: non-empty, no scheme, port or whitespace.
    static func host(_ text: String) -> Result<String, SettingError> {
        let host = text.trimmingWhitespace
        if host.isEmpty { return .failure(SettingError("is empty (expected a host such as 127.0.0.1 or 0.0.0.0)")) }
        if host.contains("/") || host.contains(where: \.isWhitespace) {
            return .failure(SettingError("is not a host (expected a name or IP address such as 0.0.0.0, without scheme or path)"))
        }
        return .success(host)
    }

    /// A database URL: `postgres://` or `postgresql://` with a host, `sqlite://PATH`, or a plain file path.
    static func databaseURL(_ text: String) -> Result<String, SettingError> {
        let value = text.trimmingWhitespace
        if value.isEmpty { return .failure(SettingError("is empty (expected postgres://user@host:5432/db or a SQLite file path)")) }
        if value.hasPrefix("postgres://") || value.hasPrefix("postgresql://") {
            guard let components = URLComponents(string: value), let host = components.host, !host.isEmpty else {
                return .failure(SettingError("is not a valid PostgreSQL URL (expected postgres://user:password@host:5432/database)"))
            }
            return .success(value)
        }
        if value.contains("://") && !value.hasPrefix("sqlite://") {
            return .failure(SettingError("has an unknown scheme (expected postgres://, postgresql://, sqlite:// or a file path)"))
        }
        return .success(value)
    }

    /// An environment variable's name.
    static func variableName(_ text: String) -> Result<String, SettingError> {
        let name = text.trimmingWhitespace
        let valid =
            !name.isEmpty
            && name.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
            && !("0"..."9").contains(name.unicodeScalars.first!)
        return valid ? .success(name) : .failure(SettingError("is not an environment variable name (expected letters, digits and _)"))
    }

    /// An http or https URL with a host, without trailing slashes.
    static func url(_ text: String) -> Result<String, SettingError> {
        var trimmed = text.trimmingWhitespace
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let components = URLComponents(string: trimmed),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty
        else {
            return .failure(SettingError("is not a valid URL (expected http:// or https:// followed by a host)"))
        }
        guard components.query == nil, components.fragment == nil else {
            return .failure(SettingError("is not a valid base URL (it must not have a ?query or #fragment)"))
        }
        return .success(trimmed)
    }

    /// A URL for messages, with any `user:password@` part replaced by `***@` and any query
    /// (which may carry an `api-key=`) by `?***`.
    static func redactedURL(_ text: String) -> String {
        var text = Substring(text)
        var suffix = ""
        if let query = text.firstIndex(of: "?") {
            text = text[..<query]
            suffix = "?***"
        }
        guard let schemeEnd = text.range(of: "://") else { return String(text) + suffix }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "#" }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return String(text) + suffix }
        return String(text[..<schemeEnd.upperBound]) + "***" + String(rest[at...]) + suffix
    }

    /// Whether `text`, written where a variable's name belongs, is more likely a key: long,
    /// with lowercase letters and digits (`gsk_...`, a 64-digit hex key), or `sk-...`.
    static func looksLikeKey(_ text: String) -> Bool {
        if text.hasPrefix("sk-") || text.hasPrefix("sk_") { return true }
        let scalars = text.unicodeScalars
        return scalars.count >= 20 && scalars.contains { $0.properties.isLowercase }
            && scalars.contains { ("0"..."9").contains($0) }
    }

    /// `1...10`, `1 or more`, `0 or more`.
    static func describe(_ range: ClosedRange<Int>) -> String {
        range.upperBound == Int.max ? "\(range.lowerBound) or more" : "\(range.lowerBound)...\(range.upperBound)"
    }

    /// Digits with at most one decimal point and at least one digit: no signs, exponents,
    /// `inf` or `nan`, so that what is accepted is what a person would write.
    static func isPlainDecimal(_ text: String) -> Bool {
        var digits = 0
        var points = 0
        for scalar in text.unicodeScalars {
            if ("0"..."9").contains(scalar) {
                digits += 1
            } else if scalar == "." {
                points += 1
            } else {
                return false
            }
        }
        return digits > 0 && points <= 1
    }
}
