import KimiSwarmCore
import Yams

/// Applies a config file onto a configuration, recording every problem with the file name,
/// the key path and the line. Providers are read in `ConfigurationFileReader+Providers.swift`.
struct ConfigurationFileReader {
    /// The keys allowed at the top level of the file.
    static let topLevelKeys = [
        "default_provider", "models_file", "providers",
        "retry", "circuit_breaker", "rate_limit", "cache", "observability",
        "router", "fallbacks", "swarm", "server", "pricing",
    ]

    let file: ConfigFile
    /// The environment, used only to expand `~` in paths.
    let home: String?
    var reader: YAMLReader
    var configuration: KimiSwarmConfiguration
    /// Where each section setting was last set (`retry.max_backoff` → `kimiswarm.yaml`).
    var origins: [String: String] = [:]
    /// Providers whose key the file says to read from a named environment variable.
    var keyVariables: [ProviderID: String] = [:]
    /// Providers whose key the file holds literally.
    var literalKeys: [ProviderID: Secret] = [:]
    /// Values that look like keys found where a key does not belong, redacted from messages.
    var suspectedSecrets: [String] = []
    /// The file's `default_provider`, with its node for the line number.
    var defaultProvider: (name: String, node: Node)?

    init(file: ConfigFile, home: String?, configuration: KimiSwarmConfiguration) {
        self.file = file
        self.home = home
        self.reader = YAMLReader(source: file.path)
        self.configuration = configuration
    }

    /// Reads the whole file.
    mutating func read() {
        guard let parsed = reader.compose(file.contents), let root = parsed else { return }
        guard case .mapping = root else {
            if !root.isNull {
                reader.problems.error(
                    "\(file.path): the top level must be a mapping of settings (such as 'providers:' or 'retry:'), "
                        + "not \(root.kindDescription)\(YAMLReader.lineSuffix(root))")
            }
            return
        }
        guard let entries = reader.mapping(root, path: "") else { return }
        reader.rejectUnknownKeys(entries, allowed: Self.topLevelKeys, path: "")
        // Providers first, so that later settings can refer to the providers the file defines.
        for entry in entries where entry.key == "providers" {
            readProviders(entry.value)
        }
        for entry in entries {
            switch entry.key {
            case "default_provider":
                if let name = reader.nonEmptyString(entry.value, path: entry.key) {
                    defaultProvider = (name, entry.value)
                }
            case "models_file":
                if let path = reader.nonEmptyString(entry.value, path: entry.key) {
                    configuration.modelsFile = Self.resolve(path, relativeTo: file.path, home: home)
                }
            case let section where SectionSetting.sections.contains(section):
                readSection(section, entry.value)
            case "router":
                readRouter(entry.value)
            case "fallbacks":
                readFallbacks(entry.value)
            default:
                // `providers` was read above; unknown keys were reported above.
                break
            }
        }
    }

    /// Reads one of the sections `retry`, `circuit_breaker`, `rate_limit`, `cache`, `observability`.
    mutating func readSection(_ section: String, _ node: Node) {
        guard let entries = reader.mapping(node, path: section) else { return }
        reader.rejectUnknownKeys(
            entries, allowed: SectionSetting.keys(of: section), path: section, misplaced: Self.removedKeys[section] ?? [:])
        for entry in entries {
            guard let setting = SectionSetting.named(section: section, key: entry.key) else { continue }
            guard let text = reader.scalarText(entry.value, path: setting.path, expected: setting.expected) else { continue }
            if let failure = setting.apply(text, &configuration) {
                reader.problems.error(
                    "\(file.path): \(setting.path)='\(Quoting.inline(text))' \(failure.reason)\(YAMLReader.lineSuffix(entry.value))")
            } else {
                origins[setting.path] = "\(file.path)\(YAMLReader.lineSuffix(entry.value))"
            }
        }
    }

    /// Settings of earlier versions that no longer exist, with what replaced them.
    static let removedKeys: [String: [String: String]] = [
        "cache": [
            "path":
                "is no longer a setting: the persistent cache tier lives in the data directory's database (kimiswarm.sqlite in --data-dir or server.data_dir); remove the line"
        ]
    ]

    /// `path` as seen from the current folder: absolute paths stay, `~/` is the home folder,
    /// and anything else is relative to the folder of the config file.
    static func resolve(_ path: String, relativeTo configPath: String, home: String?) -> String {
        if path.hasPrefix("/") { return path }
        if let home, !home.isEmpty, path == "~" || path.hasPrefix("~/") {
            return home + path.dropFirst()
        }
        guard let slash = configPath.lastIndex(of: "/") else { return path }
        var relative = Substring(path)
        while relative.hasPrefix("./") { relative = relative.dropFirst(2) }
        return "\(configPath[..<slash])/\(relative)"
    }
}
