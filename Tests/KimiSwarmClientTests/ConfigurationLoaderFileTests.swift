import Foundation
import KimiSwarmClient
import KimiSwarmCore
import Testing

private func load(
    _ environment: [String: String] = [:], yaml: String, path: String = "kimiswarm.yaml"
) throws(KimiSwarmError) -> LoadedConfiguration {
    try ConfigurationLoader.load(environment: environment, configFile: ConfigFile(path: path, contents: yaml))
}

private func loadError(_ environment: [String: String] = [:], yaml: String, path: String = "kimiswarm.yaml") -> KimiSwarmError? {
    do {
        _ = try load(environment, yaml: yaml, path: path)
        return nil
    } catch {
        return error
    }
}

@Suite("Configuration loader: config file")
struct ConfigurationLoaderFileTests {
    @Test("Every section of the file is read")
    func sections() throws {
        let configuration = try load(
            yaml: """
                retry: {max_attempts: 4, initial_backoff: 0.2, max_backoff: 8}
                circuit_breaker: {failure_threshold: 2, reset_timeout: 15}
                rate_limit: {max_requests: 100, window: 10, max_concurrent: 50}
                cache: {enabled: no, max_size: 10, default_ttl: 1.5}
                observability: {log_level: debug, log_format: json, metrics_enabled: false}
                """
        ).configuration
        #expect(configuration.retry == RetrySettings(maxAttempts: 4, initialBackoff: .milliseconds(200), maxBackoff: .seconds(8)))
        #expect(configuration.circuitBreaker == CircuitBreakerSettings(failureThreshold: 2, resetTimeout: .seconds(15)))
        #expect(configuration.rateLimit == RateLimitSettings(maxRequests: 100, window: .seconds(10), maxConcurrent: 50))
        #expect(configuration.cache == CacheSettings(enabled: false, maxSize: 10, defaultTTL: .milliseconds(1500)))
        #expect(configuration.observability == ObservabilitySettings(logLevel: .debug, logFormat: .json, metricsEnabled: false))
    }

    @Test("The environment overrides the file, which overrides the defaults")
    func precedence() throws {
        let yaml = """
            default_provider: openai
            retry: {max_attempts: 4, max_backoff: 20}
            providers:
              openai: {base_url: "https://file.example/v1"}
              moonshot: {api_key: file-key-123456}
            """
        let fileOnly = try load(yaml: yaml).configuration
        #expect(fileOnly.retry.maxAttempts == 4)
        #expect(fileOnly.retry.maxBackoff == .seconds(20))
        #expect(fileOnly.retry.initialBackoff == .milliseconds(500))  // default
        #expect(fileOnly.defaultProvider == .openai)
        #expect(fileOnly.providers[.openai]?.baseURL == "https://file.example/v1")
        #expect(fileOnly.providers[.moonshot]?.apiKey?.reveal() == "file-key-123456")

        let both = try load(
            [
                "KIMI_RETRY__MAX_ATTEMPTS": "6", "KIMI_DEFAULT_PROVIDER": "moonshot",
                "OPENAI_BASE_URL": "https://env.example/v1", "MOONSHOT_API_KEY": "env-key-123456",
            ], yaml: yaml
        ).configuration
        #expect(both.retry.maxAttempts == 6)
        #expect(both.retry.maxBackoff == .seconds(20))
        #expect(both.defaultProvider == .moonshot)
        #expect(both.providers[.openai]?.baseURL == "https://env.example/v1")
        #expect(both.providers[.moonshot]?.apiKey?.reveal() == "env-key-123456")
    }

    @Test("Every provider setting is read")
    func providerSettings() throws {
        let configuration = try load(
            yaml: """
                providers:
                  moonshot:
                    base_url: https://api.moonshot.cn/v1
                    default_model: kimi-k3
                    default_embedding_model: kimi-embed
                    headers: {X-Trace: "on"}
                    request_timeout: 300
                    connect_timeout: 2.5
                    stream_idle_timeout: 60
                    dialect: standard
                    requires_api_key: false
                  azure:
                    base_url: https://myres.openai.azure.com
                    api_version: 2024-10-21
                    deployments: {gpt-4o: my-gpt4o-deployment}
                  anthropic:
                    anthropic_version: 2023-06-01
                """
        ).configuration
        let moonshot = try configuration.provider(.moonshot)
        #expect(moonshot.baseURL == "https://api.moonshot.cn/v1")
        #expect(moonshot.defaultModel == "kimi-k3")
        #expect(moonshot.defaultEmbeddingModel == "kimi-embed")
        #expect(moonshot.headers == ["X-Trace": "on"])
        #expect(moonshot.requestTimeout == .seconds(300))
        #expect(moonshot.connectTimeout == .milliseconds(2500))
        #expect(moonshot.streamIdleTimeout == .seconds(60))
        #expect(moonshot.dialect == .standard)
        #expect(moonshot.requiresAPIKey == false)
        #expect(moonshot.apiKeyVariable == "MOONSHOT_API_KEY")
        let azure = try configuration.provider(.azure)
        #expect(azure.baseURL == "https://myres.openai.azure.com")
        #expect(azure.azureAPIVersion == "2024-10-21")
        #expect(azure.azureDeployments == ["gpt-4o": "my-gpt4o-deployment"])
        #expect(try configuration.provider(.anthropic).anthropicVersion == "2023-06-01")
    }

    @Test("A custom provider needs kind and base_url, and reads its key from api_key_env")
    func customProvider() throws {
        let yaml = """
            default_provider: groq
            providers:
              groq:
                kind: openai_compatible
                base_url: https://api.groq.com/openai/v1
                api_key_env: GROQ_API_KEY
                default_model: moonshotai/kimi-k2-instruct-0905
              local-claude:
                kind: anthropic
                base_url: http://localhost:9000/v1/
              lmstudio: {kind: openai_compatible, base_url: "http://localhost:1234/v1"}
            """
        let loaded = try load(["GROQ_API_KEY": "gsk-123456"], yaml: yaml)
        let groq = try loaded.configuration.provider("groq")
        #expect(loaded.configuration.defaultProvider == "groq")
        #expect(groq.kind == .openAICompatible)
        #expect(groq.baseURL == "https://api.groq.com/openai/v1")
        #expect(groq.apiKey?.reveal() == "gsk-123456")
        #expect(groq.apiKeyVariable == "GROQ_API_KEY")
        #expect(groq.requiresAPIKey)
        #expect(groq.defaultModel == "moonshotai/kimi-k2-instruct-0905")
        let claude = try loaded.configuration.provider("local-claude")
        #expect(claude.kind == .anthropic)
        #expect(claude.baseURL == "http://localhost:9000")
        #expect(loaded.warnings.count == 1)
        #expect(loaded.warnings.first?.hasPrefix("kimiswarm.yaml: providers.local-claude.base_url ends with /v1") == true)
        #expect(loaded.warnings.first?.hasSuffix("(line 10)") == true)
        let lmstudio = try loaded.configuration.provider("lmstudio")
        #expect(lmstudio.requiresAPIKey == false)
        #expect(lmstudio.apiKey == nil)
        #expect(try load(yaml: yaml).configuration.provider("groq").apiKey == nil)
    }

    @Test("api_key_env changes which variable a built-in provider's key is read from")
    func apiKeyEnvIndirection() throws {
        let yaml = "providers:\n  moonshot: {api_key_env: MY_MOONSHOT_KEY}\n"
        let moonshot = try load(["MY_MOONSHOT_KEY": "mine-123456", "MOONSHOT_API_KEY": "standard-123456"], yaml: yaml)
            .configuration.provider(.moonshot)
        #expect(moonshot.apiKey?.reveal() == "mine-123456")
        #expect(moonshot.apiKeyVariable == "MY_MOONSHOT_KEY")
        let unset = try load(["MOONSHOT_API_KEY": "standard-123456"], yaml: yaml).configuration.provider(.moonshot)
        #expect(unset.apiKey == nil)
        #expect(unset.apiKeyVariable == "MY_MOONSHOT_KEY")
    }

    @Test("models_file is relative to the config file's folder")
    func modelsFile() throws {
        func modelsFile(_ value: String, configPath: String) throws -> String? {
            try load(["HOME": "/home/u"], yaml: "models_file: \(value)", path: configPath).configuration.modelsFile
        }
        #expect(try modelsFile("./models.yaml", configPath: "/etc/kimi/kimiswarm.yaml") == "/etc/kimi/models.yaml")
        #expect(try modelsFile("data/models.yaml", configPath: "conf/kimiswarm.yaml") == "conf/data/models.yaml")
        #expect(try modelsFile("/srv/models.yaml", configPath: "/etc/kimi/kimiswarm.yaml") == "/srv/models.yaml")
        #expect(try modelsFile("~/models.yaml", configPath: "/etc/kimiswarm.yaml") == "/home/u/models.yaml")
        #expect(try modelsFile("models.yaml", configPath: "kimiswarm.yaml") == "models.yaml")
        #expect(
            try load(["KIMI_MODELS_FILE": "env.yaml"], yaml: "models_file: file.yaml", path: "/a/k.yaml").configuration.modelsFile
                == "env.yaml")
    }

    @Test("router and fallbacks are parsed and validated (RouterConfigurationTests has the details)")
    func routerSections() throws {
        let message = loadError(yaml: "router:\n  rules: [{when: long, use: moonshot}]\nfallbacks: {moonshot: [openai]}\n")?.message ?? ""
        #expect(message.contains("router.rules[0].use is not a known key"))
        #expect(message.contains("router.rules[0] needs 'target'"))
        #expect(message.contains("fallbacks.moonshot[0] 'openai' must be provider/model"))
        let loaded = try load(yaml: "router:\n  default: moonshot/kimi-k2.6\nfallbacks: {moonshot: [openai/gpt-4o]}\n")
        #expect(loaded.configuration.router?.defaultDestination == .target(RouteTarget(provider: .moonshot, model: "kimi-k2.6")))
        #expect(loaded.warnings.isEmpty)
    }

    @Test("An empty file gives the defaults")
    func emptyFile() throws {
        #expect(try load(yaml: "").configuration == KimiSwarmConfiguration())
        #expect(try load(yaml: "# nothing yet\n").configuration == KimiSwarmConfiguration())
    }

    @Test(
        "A file problem names the file, the key path and the line",
        arguments: [
            ("retyr: {max_attempts: 3}", "kimiswarm.yaml: retyr is not a known key; allowed keys here: default_provider, models_file, providers, retry,", "(did you mean 'retry'?) (line 1)"),
            ("retry:\n  max_attempt: 3", "kimiswarm.yaml: retry.max_attempt is not a known key; allowed keys here: max_attempts, initial_backoff, max_backoff", "(did you mean 'max_attempts'?) (line 2)"),
            ("providers:\n  moonshot:\n    base_ur: https://x", "kimiswarm.yaml: providers.moonshot.base_ur is not a known key", "(did you mean 'base_url'?) (line 3)"),
            ("providers:\n  openai:\n    api_version: v1", "kimiswarm.yaml: providers.openai.api_version applies only to providers of kind azure; this one is openai_compatible", "(line 3)"),
            ("providers:\n  azure:\n    dialect: openai", "kimiswarm.yaml: providers.azure.dialect applies only to providers of kind openai_compatible", "(line 3)"),
            ("providers:\n  azure:\n    api_version: {a: b}", "kimiswarm.yaml: providers.azure.api_version must be a string, not a mapping", "(line 3)"),
            ("retry:\n  max_attempts: abc", "kimiswarm.yaml: retry.max_attempts='abc' is not an integer (expected 1...10)", "(line 2)"),
            ("retry:\n  max_attempts:", "kimiswarm.yaml: retry.max_attempts must be an integer, but it has no value", "(line 2)"),
            ("retry: [1, 2]", "kimiswarm.yaml: retry must be a mapping of keys to values, not a list", "(line 1)"),
            ("cache: {enabled: maybe}", "kimiswarm.yaml: cache.enabled='maybe' is not a boolean", "(line 1)"),
            ("observability: {log_format: xml}", "kimiswarm.yaml: observability.log_format='xml' is not a log format", "(line 1)"),
            ("default_provider: nope", "kimiswarm.yaml: default_provider='nope' is not a configured provider (expected one of anthropic,", "(line 1)"),
            ("providers:\n  groq:\n    base_url: https://x", "kimiswarm.yaml: providers.groq is not a built-in provider", "needs 'kind' (one of openai_compatible, azure, anthropic) and 'base_url' (line 2)"),
            ("providers:\n  groq:\n    kind: openai_compatible", "kimiswarm.yaml: providers.groq is a custom provider, so it needs 'base_url'", "(line 2)"),
            ("providers:\n  groq: {kind: grpc, base_url: https://x}", "kimiswarm.yaml: providers.groq.kind='grpc' is not a provider kind (expected one of openai_compatible, azure, anthropic)", "(line 2)"),
            ("providers:\n  moonshot: {kind: anthropic}", "kimiswarm.yaml: providers.moonshot.kind cannot change the kind of the built-in provider 'moonshot'", "(line 2)"),
            ("providers:\n  My Provider: {kind: anthropic, base_url: https://x}", "kimiswarm.yaml: providers.My Provider is not a valid provider name", "(line 2)"),
            ("providers:\n  openai: {base_url: ftp://x}", "kimiswarm.yaml: providers.openai.base_url='ftp://x' is not a valid URL", "(line 2)"),
            ("providers:\n  openai: {request_timeout: -3}", "kimiswarm.yaml: providers.openai.request_timeout='-3' is not a number of seconds", "(line 2)"),
            ("providers:\n  openai: {api_key_env: MY-KEY}", "kimiswarm.yaml: providers.openai.api_key_env is not an environment variable name", "(line 2)"),
            ("providers:\n  openai: {api_key_env: gsk_0a1b2c3d4e5f6a7b8c9d}", "kimiswarm.yaml: providers.openai.api_key_env looks like an API key, not the name of an environment variable", "(line 2)"),
            ("providers:\n  openai: {api_key_env: K, api_key: abcdefgh}", "kimiswarm.yaml: providers.openai.api_key and providers.openai.api_key_env are both set", "(line 2)"),
            ("providers:\n  openai:\n    headers: {\"Bad Header\": x}", "kimiswarm.yaml: providers.openai.headers.Bad Header is not a valid HTTP header name", "(line 3)"),
            ("providers:\n  openai:\n    headers: {X-A: \"one\\ntwo\"}", "kimiswarm.yaml: providers.openai.headers.X-A must be a single line", "(line 3)"),
            ("providers: [moonshot]", "kimiswarm.yaml: providers must be a mapping of keys to values, not a list", "(line 1)"),
            ("- retry", "kimiswarm.yaml: the top level must be a mapping of settings", "not a list (line 1)"),
        ])
    func fileProblem(yaml: String, expected: String, suffix: String) throws {
        let error = try #require(loadError(yaml: yaml))
        #expect(error.category == .configuration)
        #expect(error.message.contains(expected), "\(error.message)")
        #expect(error.message.hasSuffix(suffix), "\(error.message)")
    }

    @Test("A YAML syntax error names the file and the line, without quoting the file")
    func syntaxError() throws {
        let error = try #require(loadError(yaml: "retry:\n  max_attempts: 3\n  - broken\n", path: "conf/kimiswarm.yaml"))
        #expect(error.message.hasPrefix("conf/kimiswarm.yaml: YAML syntax error at line 3"), "\(error.message)")
        #expect(!error.message.contains("broken"))
        let duplicate = try #require(loadError(yaml: "retry: {}\ncache: {}\nretry: {}\n"))
        #expect(duplicate.message.contains("kimiswarm.yaml: YAML syntax error at line"))
        #expect(duplicate.message.contains("duplicate key 'retry'"))
    }

    @Test("A literal api_key works, with a warning that recommends api_key_env and never shows the key")
    func literalKeyWarning() throws {
        let loaded = try load(yaml: "providers:\n  openai:\n    api_key: sk-literal-123456\n")
        #expect(loaded.configuration.providers[.openai]?.apiKey?.reveal() == "sk-literal-123456")
        #expect(loaded.warnings.count == 1)
        let warning = try #require(loaded.warnings.first)
        #expect(warning.hasPrefix("kimiswarm.yaml: providers.openai.api_key holds an API key in the file; prefer 'api_key_env: OPENAI_API_KEY'"))
        #expect(!warning.contains("sk-literal"))
    }

    @Test("The example config file at the repository root loads without problems")
    func exampleFileParses() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("kimiswarm.example.yaml").path
        let contents = try String(contentsOfFile: path, encoding: .utf8)
        let loaded = try load(["GROQ_API_KEY": "gsk-example-123"], yaml: contents, path: path)
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
        let configuration = loaded.configuration
        #expect(configuration.defaultProvider == .moonshot)
        #expect(configuration.providers.count == ProviderID.builtIn.count + 2)
        #expect(try configuration.provider("groq").apiKey?.reveal() == "gsk-example-123")
        #expect(try configuration.provider(.azure).azureDeployments == ["gpt-4o": "my-gpt-4o-deployment"])
        #expect(try configuration.provider(.openrouter).headers["HTTP-Referer"] == "https://example.com")
        // The example documents the defaults: apart from what it adds, it changes nothing.
        #expect(configuration.retry == RetrySettings())
        #expect(configuration.circuitBreaker == CircuitBreakerSettings())
        #expect(configuration.rateLimit == RateLimitSettings())
        #expect(configuration.cache == CacheSettings())
        #expect(configuration.observability == ObservabilitySettings())
        for id in ProviderID.builtIn where id != .azure && id != .openrouter {
            #expect(configuration.providers[id] == ProviderConfiguration.builtIn(id), "\(id)")
        }
    }
}
