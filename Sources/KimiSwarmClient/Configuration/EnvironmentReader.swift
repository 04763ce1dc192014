import KimiSwarmCore

/// Applies environment variables onto a configuration (they override the config file),
/// recording every problem with the variable's name. An empty variable counts as unset.
struct EnvironmentReader {
    /// Base URL variables of the built-in providers, as each provider's official SDK names them.
    static let baseURLVariables: [(provider: ProviderID, variable: String)] = [
        (.moonshot, "MOONSHOT_BASE_URL"),
        (.openai, "OPENAI_BASE_URL"),
        (.together, "TOGETHER_BASE_URL"),
        (.openrouter, "OPENROUTER_BASE_URL"),
        (.vllm, "VLLM_BASE_URL"),
        (.anthropic, "ANTHROPIC_BASE_URL"),
        (.azure, "AZURE_OPENAI_ENDPOINT"),
    ]

    let environment: [String: String]
    var problems = ConfigurationProblems()

    init(environment: [String: String]) {
        self.environment = environment
    }

    /// The trimmed value of `name`, or `nil` when it is unset or empty.
    func value(_ name: String) -> String? {
        guard let raw = environment[name] else { return nil }
        let trimmed = raw.trimmingWhitespace
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Applies every variable this reader knows onto `configuration`.
    mutating func apply(to configuration: inout KimiSwarmConfiguration, origins: inout [String: String]) {
        applySections(to: &configuration, origins: &origins)
        warnAboutUnknownSettings()
        applyBaseURLs(to: &configuration)
        applyOllamaHost(to: &configuration)
        applyAzure(to: &configuration)
        applyMoonshotTier(to: &configuration)
        if let modelsFile = value("KIMI_MODELS_FILE") { configuration.modelsFile = modelsFile }
    }

    private mutating func applySections(to configuration: inout KimiSwarmConfiguration, origins: inout [String: String]) {
        for setting in SectionSetting.all {
            let name = setting.environmentVariable
            guard let text = value(name) else { continue }
            if let failure = setting.apply(text, &configuration) {
                problems.error("\(name)='\(Quoting.inline(text))' \(failure.reason)")
            } else {
                origins[setting.path] = name
            }
        }
    }

    /// `KIMI_<SECTION>__<KEY>` variables that name no setting: a warning each (a typo would
    /// otherwise be silently ignored). Their values are not quoted.
    private mutating func warnAboutUnknownSettings() {
        let known = SectionSetting.all.map(\.environmentVariable)
        for name in environment.keys.sorted() where name.hasPrefix("KIMI_") && name.contains("__") {
            guard !known.contains(name) else { continue }
            var text = "\(name) is not a KimiSwarm setting and is ignored"
            if let suggestion = Spelling.closest(to: name, in: known) {
                text += "; did you mean \(suggestion)?"
            } else {
                text += "; settable sections: \(SectionSetting.sections.map { "KIMI_\($0.uppercased())__*" }.joined(separator: ", "))"
            }
            problems.warn(text)
        }
    }

    private mutating func applyBaseURLs(to configuration: inout KimiSwarmConfiguration) {
        for (provider, variable) in Self.baseURLVariables {
            guard let text = value(variable) else { continue }
            switch SettingValue.url(text) {
            case .failure(let failure):
                problems.error("\(variable)='\(Quoting.inline(SettingValue.redactedURL(text)))' \(failure.reason)")
            case .success(var url):
                if configuration.providers[provider]?.kind == .anthropic, let stripped = BaseURL.strippingV1(url) {
                    url = stripped
                    problems.warn("\(variable) \(BaseURL.strippedV1Warning)")
                }
                configuration.providers[provider]?.baseURL = url
            }
        }
    }

    private mutating func applyOllamaHost(to configuration: inout KimiSwarmConfiguration) {
        guard let text = value("OLLAMA_HOST") else { return }
        switch BaseURL.ollama(text) {
        case .failure(let failure):
            problems.error("OLLAMA_HOST='\(Quoting.inline(SettingValue.redactedURL(text)))' \(failure.reason)")
        case .success(let result):
            if result.strippedV1 {
                problems.warn("OLLAMA_HOST ends with /v1, which KimiSwarm adds itself; the /v1 was removed (write it as Ollama takes it, e.g. localhost:11434)")
            }
            configuration.providers[.ollama]?.baseURL = result.url
        }
    }

    /// `KIMI_MOONSHOT_TIER`: the Moonshot account's tier (0 to 5) as the provider's rate-limit
    /// preset; it replaces the file's `providers.moonshot.rate_limit.preset`, while the file's
    /// explicit `providers.moonshot.rate_limit.*` values still override the preset's.
    private mutating func applyMoonshotTier(to configuration: inout KimiSwarmConfiguration) {
        let name = "KIMI_MOONSHOT_TIER"
        guard let text = value(name) else { return }
        switch SettingValue.moonshotTier(text) {
        case .failure(let failure):
            problems.error("\(name)='\(Quoting.inline(text))' \(failure.reason)")
        case .success(let preset):
            configuration.providers[.moonshot]?.rateLimit.preset = preset
        }
    }

    private mutating func applyAzure(to configuration: inout KimiSwarmConfiguration) {
        if let version = value("AZURE_OPENAI_API_VERSION") {
            configuration.providers[.azure]?.azureAPIVersion = version
        }
        if let deployment = value("AZURE_OPENAI_DEPLOYMENT") {
            configuration.providers[.azure]?.defaultModel = deployment
        }
    }
}
