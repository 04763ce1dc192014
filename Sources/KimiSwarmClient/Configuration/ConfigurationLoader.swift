public import KimiSwarmCore

/// Builds a ``KimiSwarmConfiguration`` from built-in defaults, a config file and environment
/// variables, in that order of precedence (the environment wins).
///
/// The loader reads nothing itself: the command line passes the environment and the file's
/// text in, and tests build both in code. Every problem is collected, and one
/// ``KimiSwarmError`` with category `.configuration` lists them all, each naming the
/// environment variable or the file's key path (and line). Keys never appear in messages.
///
/// Environment variables: `KIMI_DEFAULT_PROVIDER`, `KIMI_CONFIG_FILE`, `KIMI_MODELS_FILE`;
/// `KIMI_<SECTION>__<KEY>` for every setting of the sections `retry`, `circuit_breaker`,
/// `rate_limit`, `cache` and `observability` (e.g. `KIMI_RETRY__MAX_ATTEMPTS`); the keys
/// `MOONSHOT_API_KEY`, `OPENAI_API_KEY`, `TOGETHER_API_KEY`, `OPENROUTER_API_KEY`,
/// `VLLM_API_KEY`, `ANTHROPIC_API_KEY`, `AZURE_OPENAI_API_KEY`; the base URLs
/// `MOONSHOT_BASE_URL`, `OPENAI_BASE_URL`, `TOGETHER_BASE_URL`, `OPENROUTER_BASE_URL`,
/// `VLLM_BASE_URL`, `ANTHROPIC_BASE_URL`, `OLLAMA_HOST`, `AZURE_OPENAI_ENDPOINT`; and
/// `AZURE_OPENAI_API_VERSION`, `AZURE_OPENAI_DEPLOYMENT`; `KIMI_MOONSHOT_TIER` (0 to 5, the
/// Moonshot account's rate-limit preset). The file's schema is documented in
/// `kimiswarm.example.yaml` at the root of the repository.
public enum ConfigurationLoader {
    /// The variable that names the config file.
    public static let configFileVariable = "KIMI_CONFIG_FILE"

    /// Loads the configuration: defaults, then `configFile` (if any), then `environment`.
    ///
    /// - Parameters:
    ///   - environment: The process environment (or a test's stand-in).
    ///   - configFile: The config file's path and text, if there is one; see ``configFilePath(environment:explicit:fileExists:)``.
    /// - Returns: The configuration and the warnings worth showing the user (a literal key in
    ///   the file, a `/v1` removed from a base URL, an unknown `KIMI_*__*` variable).
    /// - Throws: One `.configuration` error that lists every problem found.
    public static func load(environment: [String: String], configFile: ConfigFile?) throws(KimiSwarmError) -> LoadedConfiguration {
        var configuration = KimiSwarmConfiguration()
        var problems = ConfigurationProblems()
        var origins: [String: String] = [:]
        var keyVariables: [ProviderID: String] = [:]
        var literalKeys: [ProviderID: Secret] = [:]
        var suspectedSecrets: [String] = []

        if let configFile {
            var fileReader = ConfigurationFileReader(file: configFile, home: environment["HOME"], configuration: configuration)
            fileReader.read()
            configuration = fileReader.configuration
            problems.append(fileReader.reader.problems)
            origins = fileReader.origins
            keyVariables = fileReader.keyVariables
            literalKeys = fileReader.literalKeys
            suspectedSecrets = fileReader.suspectedSecrets
            if let (name, node) = fileReader.defaultProvider {
                if let id = knownProvider(name, in: configuration) {
                    configuration.defaultProvider = id
                } else {
                    problems.error(
                        "\(configFile.path): default_provider='\(Quoting.inline(name))' is not a configured provider "
                            + "(expected one of \(providerList(configuration)))\(YAMLReader.lineSuffix(node))")
                }
            }
        }

        var environmentReader = EnvironmentReader(environment: environment)
        environmentReader.apply(to: &configuration, origins: &origins)
        problems.append(environmentReader.problems)
        if let name = environmentReader.value("KIMI_DEFAULT_PROVIDER") {
            if let id = knownProvider(name, in: configuration) {
                configuration.defaultProvider = id
            } else {
                problems.error(
                    "KIMI_DEFAULT_PROVIDER='\(Quoting.inline(name))' is not a configured provider "
                        + "(expected one of \(providerList(configuration)))")
            }
        }

        let secrets = resolveKeys(
            in: &configuration, environment: environment, keyVariables: keyVariables, literalKeys: literalKeys)
        checkBackoff(configuration, origins: origins, problems: &problems)

        problems.redact(secrets + suspectedSecrets)
        let fileNote = configFile.map { "in \($0.path) or " } ?? ""
        try problems.throwIfErrors(
            hint: "Fix each setting named above \(fileNote)in the environment (environment variables override the config file); "
                + "kimiswarm.example.yaml documents every key")
        return LoadedConfiguration(configuration: configuration, warnings: problems.warnings)
    }

    /// The config file to read, or `nil` for none: the `--config` path if given, else
    /// `KIMI_CONFIG_FILE`, else `./kimiswarm.yaml` if it exists, else
    /// `$XDG_CONFIG_HOME/kimiswarm/config.yaml` or `$HOME/.config/kimiswarm/config.yaml` if it exists.
    ///
    /// A path given explicitly or by `KIMI_CONFIG_FILE` is returned even when it does not
    /// exist: the caller should then fail with ``missingFileError(path:namedBy:)``, or use
    /// ``requireConfigFilePath(environment:explicit:fileExists:)``, which does both.
    public static func configFilePath(environment: [String: String], explicit: String?, fileExists: (String) -> Bool) -> String? {
        if let explicit = nonEmpty(explicit) { return explicit }
        if let named = nonEmpty(environment[configFileVariable]) { return named }
        var candidates = ["./kimiswarm.yaml"]
        if let xdg = nonEmpty(environment["XDG_CONFIG_HOME"]) { candidates.append("\(xdg)/kimiswarm/config.yaml") }
        if let home = nonEmpty(environment["HOME"]) { candidates.append("\(home)/.config/kimiswarm/config.yaml") }
        return candidates.first(where: fileExists)
    }

    /// Like ``configFilePath(environment:explicit:fileExists:)``, but a path given explicitly
    /// (`explicitFlag` names the flag in the message) or by `KIMI_CONFIG_FILE` that does not
    /// exist is an error rather than a silent fallback to the defaults.
    public static func requireConfigFilePath(
        environment: [String: String], explicit: String?, explicitFlag: String = "--config", fileExists: (String) -> Bool
    ) throws(KimiSwarmError) -> String? {
        guard let path = configFilePath(environment: environment, explicit: explicit, fileExists: fileExists) else { return nil }
        guard !fileExists(path) else { return path }
        let namedBy = nonEmpty(explicit) != nil ? explicitFlag : configFileVariable
        throw missingFileError(path: path, namedBy: namedBy)
    }

    /// The error for a file that a setting names but that does not exist, e.g.
    /// `missingFileError(path: "prod.yaml", namedBy: "KIMI_CONFIG_FILE")`.
    public static func missingFileError(path: String, namedBy setting: String) -> KimiSwarmError {
        .configuration(
            "\(setting) names the file '\(path)', which does not exist",
            hint: "Check the path (relative paths start from the current folder), or unset \(setting) to use the defaults")
    }

    // MARK: Helpers

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text = text?.trimmingWhitespace, !text.isEmpty else { return nil }
        return text
    }

    /// The configured provider called `name`, ignoring case.
    private static func knownProvider(_ name: String, in configuration: KimiSwarmConfiguration) -> ProviderID? {
        let lowered = name.trimmingWhitespace.lowercased()
        return configuration.providers.keys.first { $0.rawValue.lowercased() == lowered }
    }

    private static func providerList(_ configuration: KimiSwarmConfiguration) -> String {
        configuration.providers.keys.sorted().map(\.rawValue).joined(separator: ", ")
    }

    /// Sets every provider's key: the variable the file names (`api_key_env`) or the built-in
    /// one, else the file's literal key. Returns every secret value seen, for redaction.
    private static func resolveKeys(
        in configuration: inout KimiSwarmConfiguration, environment: [String: String],
        keyVariables: [ProviderID: String], literalKeys: [ProviderID: Secret]
    ) -> [String] {
        var secrets = literalKeys.values.map { $0.reveal() }
        for id in configuration.providers.keys {
            guard var provider = configuration.providers[id] else { continue }
            let variable = keyVariables[id] ?? provider.apiKeyVariable
            provider.apiKeyVariable = variable
            if let variable, let raw = environment[variable], !raw.trimmingWhitespace.isEmpty {
                provider.apiKey = Secret(raw.trimmingWhitespace)
                secrets.append(raw.trimmingWhitespace)
            } else if let literal = literalKeys[id] {
                provider.apiKey = literal
            } else {
                provider.apiKey = nil
            }
            configuration.providers[id] = provider
        }
        return secrets
    }

    /// `0.5`, `30`.
    static func formatSeconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let value = Double(seconds) + Double(attoseconds) / 1e18
        return value == value.rounded() ? String(Int64(value)) : String(value)
    }

    /// The first backoff must not be longer than the longest one.
    private static func checkBackoff(
        _ configuration: KimiSwarmConfiguration, origins: [String: String], problems: inout ConfigurationProblems
    ) {
        let retry = configuration.retry
        guard retry.initialBackoff > retry.maxBackoff else { return }
        func describe(_ key: String, _ value: Duration) -> String {
            "retry.\(key) (\(formatSeconds(value)) s, from \(origins["retry.\(key)"] ?? "the defaults"))"
        }
        problems.error(
            "\(describe("initial_backoff", retry.initialBackoff)) is longer than \(describe("max_backoff", retry.maxBackoff))")
    }
}
