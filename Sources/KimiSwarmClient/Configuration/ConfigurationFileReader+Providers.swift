import KimiSwarmCore
import Yams

extension ConfigurationFileReader {
    /// Keys every provider accepts.
    static let commonProviderKeys = [
        "kind", "base_url", "api_key_env", "api_key", "default_model", "default_embedding_model",
        "headers", "request_timeout", "first_byte_timeout", "connect_timeout", "stream_idle_timeout", "requires_api_key",
        "rate_limit", "max_concurrent", "requests_per_minute", "tokens_per_minute",
    ]

    /// Keys that only one kind of provider accepts.
    static let kindSpecificKeys: [ProviderKind: [String]] = [
        .openAICompatible: ["dialect"],
        .azureOpenAI: ["api_version", "deployments"],
        .anthropic: ["anthropic_version"],
    ]

    /// The keys a provider of `kind` accepts.
    static func providerKeys(for kind: ProviderKind) -> [String] {
        commonProviderKeys + (kindSpecificKeys[kind] ?? [])
    }

    /// Reads the `providers` mapping.
    mutating func readProviders(_ node: Node) {
        guard let entries = reader.mapping(node, path: "providers") else { return }
        for entry in entries {
            readProvider(name: entry.key, keyNode: entry.keyNode, node: entry.value)
        }
    }

    /// Whether `name` can name a provider: lowercase letters, digits, `-`, `_` and `.`.
    static func isValidProviderName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII, first.properties.isLowercase || ("0"..."9").contains(first)
        else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isLowercase || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == ".")
        }
    }

    private mutating func readProvider(name: String, keyNode: Node, node: Node) {
        let path = "providers.\(name)"
        guard Self.isValidProviderName(name) else {
            reader.error(path, "is not a valid provider name (use lowercase letters, digits, '-', '_' and '.')", at: keyNode)
            return
        }
        guard let entries = reader.mapping(node, path: path) else { return }
        let id = ProviderID(name)
        let builtIn = ProviderConfiguration.builtIn(id)
        let values = Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })

        var kind = builtIn?.kind
        if let kindNode = values["kind"] {
            guard let parsed = reader.value(kindNode, path: "\(path).kind", expected: "a provider kind", SettingValue.providerKind)
            else { return }
            if let builtIn, parsed != builtIn.kind {
                reader.error(
                    "\(path).kind",
                    "cannot change the kind of the built-in provider '\(name)' (it is \(builtIn.kind.rawValue)); "
                        + "give a custom provider a new name", at: kindNode)
                return
            }
            kind = parsed
        }
        guard let kind else {
            let kinds = ProviderKind.allCases.map(\.rawValue).joined(separator: ", ")
            let builtIns = ProviderID.builtIn.map(\.rawValue).joined(separator: ", ")
            reader.error(
                path,
                "is not a built-in provider (\(builtIns)), so it needs 'kind' (one of \(kinds)) and 'base_url'", at: keyNode)
            return
        }
        if builtIn == nil, values["base_url"] == nil {
            reader.error(path, "is a custom provider, so it needs 'base_url'", at: keyNode)
        }

        var misplaced: [String: String] = [:]
        for (otherKind, keys) in Self.kindSpecificKeys where otherKind != kind {
            for key in keys { misplaced[key] = "applies only to providers of kind \(otherKind.rawValue); this one is \(kind.rawValue)" }
        }
        reader.rejectUnknownKeys(entries, allowed: Self.providerKeys(for: kind), path: path, misplaced: misplaced)

        var provider = configuration.providers[id] ?? builtIn ?? ProviderConfiguration(id: id, kind: kind, baseURL: "")
        if builtIn == nil {
            // A custom provider needs a key only when the file says where the key comes from;
            // `requires_api_key` below overrides this.
            provider.requiresAPIKey = values["api_key_env"] != nil || values["api_key"] != nil
            provider.apiKeyVariable = nil
        }
        if values["api_key_env"] != nil, let literal = values["api_key"] {
            reader.error("\(path).api_key", "and \(path).api_key_env are both set; keep only api_key_env", at: literal)
        }

        for entry in entries {
            let keyPath = "\(path).\(entry.key)"
            let value = entry.value
            switch entry.key {
            case "base_url":
                if let url = readURL(value, path: keyPath, kind: kind) { provider.baseURL = url }
            case "api_key_env":
                if let variable = readKeyVariable(value, path: keyPath) { keyVariables[id] = variable }
            case "api_key":
                readLiteralKey(value, path: keyPath, provider: provider)
            case "default_model":
                if let model = reader.nonEmptyString(value, path: keyPath) { provider.defaultModel = model }
            case "default_embedding_model":
                if let model = reader.nonEmptyString(value, path: keyPath) { provider.defaultEmbeddingModel = model }
            case "headers":
                if let headers = readHeaders(value, path: keyPath) { provider.headers.merge(headers) { _, new in new } }
            case "request_timeout":
                if let seconds = reader.value(value, path: keyPath, expected: "a number of seconds", SettingValue.seconds) {
                    provider.requestTimeout = seconds
                }
            case "first_byte_timeout":
                if let seconds = reader.value(value, path: keyPath, expected: "a number of seconds", SettingValue.seconds) {
                    provider.firstByteTimeout = seconds
                }
            case "connect_timeout":
                if let seconds = reader.value(value, path: keyPath, expected: "a number of seconds", SettingValue.seconds) {
                    provider.connectTimeout = seconds
                }
            case "stream_idle_timeout":
                if let seconds = reader.value(value, path: keyPath, expected: "a number of seconds", SettingValue.seconds) {
                    provider.streamIdleTimeout = seconds
                }
            case "requires_api_key":
                if let flag = reader.value(value, path: keyPath, expected: "true or false", SettingValue.bool) {
                    provider.requiresAPIKey = flag
                }
            case "rate_limit":
                readProviderRateLimit(value, path: keyPath, into: &provider.rateLimit)
            case "max_concurrent":
                if let limit = reader.value(value, path: keyPath, expected: "an integer", { SettingValue.integer($0, in: 1...1000) }) {
                    provider.maxConcurrent = limit
                }
            case "requests_per_minute":
                if let limit = reader.value(value, path: keyPath, expected: "an integer", { SettingValue.integer($0, in: 1...1_000_000_000) }) {
                    provider.requestsPerMinute = limit
                }
            case "tokens_per_minute":
                if let limit = reader.value(value, path: keyPath, expected: "an integer", { SettingValue.integer($0, in: 1...1_000_000_000) }) {
                    provider.tokensPerMinute = limit
                }
            case "dialect" where kind == .openAICompatible:
                if let dialect = reader.value(value, path: keyPath, expected: "a dialect", SettingValue.dialect) {
                    provider.dialect = dialect
                }
            case "api_version" where kind == .azureOpenAI:
                if let version = reader.nonEmptyString(value, path: keyPath) { provider.azureAPIVersion = version }
            case "deployments" where kind == .azureOpenAI:
                if let deployments = readDeployments(value, path: keyPath) {
                    provider.azureDeployments.merge(deployments) { _, new in new }
                }
            case "anthropic_version" where kind == .anthropic:
                if let version = reader.nonEmptyString(value, path: keyPath) { provider.anthropicVersion = version }
            default:
                break  // `kind` was read above; unknown keys were reported above.
            }
        }
        rejectDuplicateLimits(values, path: path)
        configuration.providers[id] = provider
    }

    /// A base URL; quoted in messages without any `user:password@` part. Anthropic's base URL
    /// is taken as the official SDKs take it, without `/v1`.
    private mutating func readURL(_ node: Node, path: String, kind: ProviderKind) -> String? {
        guard let text = reader.string(node, path: path) else { return nil }
        switch SettingValue.url(text) {
        case .failure(let failure):
            reader.problems.error(
                "\(file.path): \(path)='\(Quoting.inline(SettingValue.redactedURL(text.trimmingWhitespace)))' "
                    + "\(failure.reason)\(YAMLReader.lineSuffix(node))")
            return nil
        case .success(let url):
            guard kind == .anthropic, let stripped = BaseURL.strippingV1(url) else { return url }
            reader.warn(path, BaseURL.strippedV1Warning, at: node)
            return stripped
        }
    }

    /// The name of the variable that holds a key. Never quoted in messages: a common mistake
    /// is to paste the key itself here.
    private mutating func readKeyVariable(_ node: Node, path: String) -> String? {
        guard let text = reader.string(node, path: path) else { return nil }
        let name = text.trimmingWhitespace
        if SettingValue.looksLikeKey(name) {
            suspectedSecrets.append(name)
            reader.error(
                path,
                "looks like an API key, not the name of an environment variable; put the key in an environment "
                    + "variable (e.g. export MY_API_KEY=...) and write that variable's name here", at: node)
            return nil
        }
        guard case .success(let variable) = SettingValue.variableName(name) else {
            reader.error(path, "is not an environment variable name (expected letters, digits and _, such as GROQ_API_KEY)", at: node)
            return nil
        }
        return variable
    }

    /// A literal key: allowed, with a warning that recommends `api_key_env`.
    private mutating func readLiteralKey(_ node: Node, path: String, provider: ProviderConfiguration) {
        guard case .scalar(let scalar) = node, !node.isNull else {
            reader.error(path, "must be a string", at: node)
            return
        }
        let key = scalar.string.trimmingWhitespace
        guard !key.isEmpty else { return }
        literalKeys[provider.id] = Secret(key)
        let variable = provider.apiKeyVariable ?? "\(provider.id.rawValue.uppercased().replacing("-", with: "_"))_API_KEY"
        reader.warn(
            path,
            "holds an API key in the file; prefer 'api_key_env: \(variable)' and keep the key in the environment "
                + "or a secret store, so the file can be shared and committed safely", at: node)
    }

    /// Extra HTTP headers; values are never quoted (they may be credentials).
    private mutating func readHeaders(_ node: Node, path: String) -> [String: String]? {
        guard let entries = reader.mapping(node, path: path) else { return nil }
        var headers: [String: String] = [:]
        for entry in entries {
            let keyPath = "\(path).\(entry.key)"
            guard Self.isHeaderName(entry.key) else {
                reader.error(keyPath, "is not a valid HTTP header name", at: entry.keyNode)
                continue
            }
            guard let value = reader.string(entry.value, path: keyPath) else { continue }
            guard !value.contains("\n"), !value.contains("\r") else {
                reader.error(keyPath, "must be a single line", at: entry.value)
                continue
            }
            headers[entry.key] = value
        }
        return headers
    }

    /// Azure model ids → deployment names.
    private mutating func readDeployments(_ node: Node, path: String) -> [String: String]? {
        guard let entries = reader.mapping(node, path: path) else { return nil }
        var deployments: [String: String] = [:]
        for entry in entries {
            if let name = reader.nonEmptyString(entry.value, path: "\(path).\(entry.key)") { deployments[entry.key] = name }
        }
        return deployments
    }

    /// An RFC 9110 token.
    static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII
                    && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "!#$%&'*+-.^_`|~".unicodeScalars.contains(scalar))
            }
    }
}
