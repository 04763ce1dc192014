import KimiSwarmCore
import Yams

extension ConfigurationFileReader {
    /// The keys of `providers.<name>.rate_limit`: a tier preset and the keys of the client-wide
    /// `rate_limit` section.
    static let providerRateLimitKeys = ["preset", "max_requests", "window", "max_concurrent", "max_tokens_per_minute", "max_wait"]

    /// The older flat keys of a provider and the `rate_limit` key each one stands for.
    static let flatLimitKeys = [
        ("max_concurrent", "max_concurrent"), ("requests_per_minute", "max_requests"), ("tokens_per_minute", "max_tokens_per_minute"),
    ]

    /// Reads `providers.<name>.rate_limit` into `limits`: values the file leaves out stay unset,
    /// so that they come from the preset or the `rate_limit` section.
    mutating func readProviderRateLimit(_ node: Node, path: String, into limits: inout ProviderRateLimit) {
        guard let entries = reader.mapping(node, path: path) else { return }
        reader.rejectUnknownKeys(entries, allowed: Self.providerRateLimitKeys, path: path)
        for entry in entries {
            let keyPath = "\(path).\(entry.key)"
            let value = entry.value
            switch entry.key {
            case "preset":
                if let preset = reader.value(value, path: keyPath, expected: "a preset name", SettingValue.rateLimitPreset) {
                    limits.preset = preset
                }
            case "max_requests":
                if let count = reader.value(value, path: keyPath, expected: "an integer", { SettingValue.integer($0, in: 1...1_000_000_000) }) {
                    limits.maxRequests = count
                }
            case "window":
                if let seconds = reader.value(value, path: keyPath, expected: "a number of seconds", SettingValue.seconds) {
                    limits.window = seconds
                }
            case "max_concurrent":
                if let count = reader.value(value, path: keyPath, expected: "an integer", { SettingValue.integer($0, in: 1...1000) }) {
                    limits.maxConcurrent = count
                }
            case "max_tokens_per_minute":
                if let count = reader.value(value, path: keyPath, expected: "an integer", { SettingValue.integer($0, in: 1...1_000_000_000) }) {
                    limits.maxTokensPerMinute = count
                }
            case "max_wait":
                if let seconds = reader.value(value, path: keyPath, expected: "a number of seconds", SettingValue.seconds) {
                    limits.maxWait = seconds
                }
            default:
                break  // reported above
            }
        }
    }

    /// A limit given both as an older flat key (`max_concurrent`) and under `rate_limit` is an
    /// error: which one wins would depend on the order of the keys.
    mutating func rejectDuplicateLimits(_ values: [String: Node], path: String) {
        guard let node = values["rate_limit"], case .mapping(let mapping) = node else { return }
        let nested = Set(mapping.keys.compactMap { key -> String? in
            guard case .scalar(let scalar) = key else { return nil }
            return scalar.string
        })
        for (flat, key) in Self.flatLimitKeys where values[flat] != nil && nested.contains(key) {
            reader.error(
                "\(path).\(flat)", "and \(path).rate_limit.\(key) are both set; keep only rate_limit.\(key)", at: values[flat])
        }
    }
}
