import Foundation
import KimiSwarmClient
import KimiSwarmCore
import Testing

/// Loads a configuration from an environment and an optional config file's text.
private func load(
    _ environment: [String: String] = [:], yaml: String? = nil, path: String = "kimiswarm.yaml"
) throws(KimiSwarmError) -> LoadedConfiguration {
    try ConfigurationLoader.load(environment: environment, configFile: yaml.map { ConfigFile(path: path, contents: $0) })
}

/// The error loading fails with, or `nil` when it succeeds.
private func loadError(
    _ environment: [String: String] = [:], yaml: String? = nil, path: String = "kimiswarm.yaml"
) -> KimiSwarmError? {
    do {
        _ = try load(environment, yaml: yaml, path: path)
        return nil
    } catch {
        return error
    }
}

@Suite("Configuration loader: environment variables")
struct ConfigurationLoaderTests {
    @Test("Nothing set gives the built-in defaults and no warnings")
    func defaults() throws {
        let loaded = try load()
        #expect(loaded.configuration == KimiSwarmConfiguration())
        #expect(loaded.warnings.isEmpty)
    }

    @Test("Every section variable is read")
    func sectionVariables() throws {
        let configuration = try load([
            "KIMI_RETRY__MAX_ATTEMPTS": "5", "KIMI_RETRY__INITIAL_BACKOFF": "0.25", "KIMI_RETRY__MAX_BACKOFF": "12.5",
            "KIMI_CIRCUIT_BREAKER__FAILURE_THRESHOLD": "7", "KIMI_CIRCUIT_BREAKER__RESET_TIMEOUT": "45",
            "KIMI_RATE_LIMIT__MAX_REQUESTS": "600", "KIMI_RATE_LIMIT__WINDOW": "1.5", "KIMI_RATE_LIMIT__MAX_CONCURRENT": "1000",
            "KIMI_CACHE__ENABLED": "off", "KIMI_CACHE__MAX_SIZE": "0", "KIMI_CACHE__DEFAULT_TTL": "60",
            "KIMI_OBSERVABILITY__LOG_LEVEL": "WARN", "KIMI_OBSERVABILITY__LOG_FORMAT": "JSON",
            "KIMI_OBSERVABILITY__METRICS_ENABLED": "no",
        ]).configuration
        #expect(configuration.retry == RetrySettings(maxAttempts: 5, initialBackoff: .milliseconds(250), maxBackoff: .milliseconds(12_500)))
        #expect(configuration.circuitBreaker == CircuitBreakerSettings(failureThreshold: 7, resetTimeout: .seconds(45)))
        #expect(configuration.rateLimit == RateLimitSettings(maxRequests: 600, window: .milliseconds(1500), maxConcurrent: 1000))
        #expect(configuration.cache == CacheSettings(enabled: false, maxSize: 0, defaultTTL: .seconds(60)))
        #expect(configuration.observability == ObservabilitySettings(logLevel: .warning, logFormat: .json, metricsEnabled: false))
    }

    @Test(
        "Booleans accept true/false, 1/0, yes/no, on/off in any case",
        arguments: [
            ("true", true), ("TRUE", true), ("1", true), ("yes", true), ("On", true),
            ("false", false), ("False", false), ("0", false), ("NO", false), ("off", false),
        ])
    func booleans(text: String, value: Bool) throws {
        let configuration = try load(["KIMI_CACHE__ENABLED": text, "KIMI_OBSERVABILITY__METRICS_ENABLED": text]).configuration
        #expect(configuration.cache.enabled == value)
        #expect(configuration.observability.metricsEnabled == value)
    }

    @Test(
        "Log levels in any case, and warn",
        arguments: [
            ("trace", ObservabilitySettings.LogLevel.trace), ("DEBUG", .debug), ("Info", .info), ("notice", .notice),
            ("warning", .warning), ("warn", .warning), ("error", .error), ("CRITICAL", .critical),
        ])
    func logLevels(text: String, level: ObservabilitySettings.LogLevel) throws {
        #expect(try load(["KIMI_OBSERVABILITY__LOG_LEVEL": text]).configuration.observability.logLevel == level)
    }

    @Test(
        "Durations are read exactly, in seconds",
        arguments: [
            ("0.2", Duration.milliseconds(200)), ("0.0001", .microseconds(100)), ("30", .seconds(30)), (".5", .milliseconds(500)),
            ("5.", .seconds(5)), (" 2.25 ", .milliseconds(2250)), ("31536000", .seconds(31_536_000)),
        ])
    func durations(text: String, duration: Duration) throws {
        #expect(try load(["KIMI_CACHE__DEFAULT_TTL": text]).configuration.cache.defaultTTL == duration)
    }

    @Test("Durations of zero, over a year, or too long to count are out of range", arguments: ["0", "0.000", "31536000.5", "99999999999999999999"])
    func durationsOutOfRange(text: String) throws {
        let error = try #require(loadError(["KIMI_RATE_LIMIT__WINDOW": text]))
        #expect(error.message == "KIMI_RATE_LIMIT__WINDOW='\(text)' is out of range (expected seconds greater than 0 and at most 31536000)")
    }

    @Test(
        "An invalid value is an error naming the variable, its value and what is expected",
        arguments: [
            ("KIMI_RETRY__MAX_ATTEMPTS", "abc", "KIMI_RETRY__MAX_ATTEMPTS='abc' is not an integer (expected 1...10)"),
            ("KIMI_RETRY__MAX_ATTEMPTS", "11", "KIMI_RETRY__MAX_ATTEMPTS='11' is out of range (expected 1...10)"),
            ("KIMI_RETRY__MAX_ATTEMPTS", "0", "KIMI_RETRY__MAX_ATTEMPTS='0' is out of range (expected 1...10)"),
            ("KIMI_RETRY__INITIAL_BACKOFF", "0", "KIMI_RETRY__INITIAL_BACKOFF='0' is out of range"),
            ("KIMI_RETRY__MAX_BACKOFF", "-1", "KIMI_RETRY__MAX_BACKOFF='-1' is not a number of seconds"),
            ("KIMI_CIRCUIT_BREAKER__FAILURE_THRESHOLD", "0", "KIMI_CIRCUIT_BREAKER__FAILURE_THRESHOLD='0' is out of range (expected 1...1000000000)"),
            ("KIMI_CIRCUIT_BREAKER__RESET_TIMEOUT", "soon", "KIMI_CIRCUIT_BREAKER__RESET_TIMEOUT='soon' is not a number of seconds"),
            ("KIMI_RATE_LIMIT__MAX_REQUESTS", "0", "KIMI_RATE_LIMIT__MAX_REQUESTS='0' is out of range (expected 1...1000000000)"),
            ("KIMI_RATE_LIMIT__WINDOW", "nan", "KIMI_RATE_LIMIT__WINDOW='nan' is not a number of seconds"),
            ("KIMI_RATE_LIMIT__MAX_CONCURRENT", "1001", "KIMI_RATE_LIMIT__MAX_CONCURRENT='1001' is out of range (expected 1...1000)"),
            ("KIMI_CACHE__ENABLED", "maybe", "KIMI_CACHE__ENABLED='maybe' is not a boolean"),
            ("KIMI_CACHE__MAX_SIZE", "-5", "KIMI_CACHE__MAX_SIZE='-5' is out of range (expected 0...1000000000)"),
            ("KIMI_CACHE__DEFAULT_TTL", "1e3", "KIMI_CACHE__DEFAULT_TTL='1e3' is not a number of seconds"),
            ("KIMI_OBSERVABILITY__LOG_LEVEL", "verbose", "KIMI_OBSERVABILITY__LOG_LEVEL='verbose' is not a log level (expected one of trace, debug"),
            ("KIMI_OBSERVABILITY__LOG_FORMAT", "xml", "KIMI_OBSERVABILITY__LOG_FORMAT='xml' is not a log format (expected one of text, json)"),
            ("KIMI_OBSERVABILITY__METRICS_ENABLED", "2", "KIMI_OBSERVABILITY__METRICS_ENABLED='2' is not a boolean"),
            ("KIMI_DEFAULT_PROVIDER", "nope", "KIMI_DEFAULT_PROVIDER='nope' is not a configured provider (expected one of anthropic, azure,"),
            ("MOONSHOT_BASE_URL", "not a url", "MOONSHOT_BASE_URL='not a url' is not a valid URL"),
            ("OPENAI_BASE_URL", "ftp://files.example.com", "OPENAI_BASE_URL='ftp://files.example.com' is not a valid URL"),
            ("TOGETHER_BASE_URL", "https://", "TOGETHER_BASE_URL='https://' is not a valid URL"),
            ("OPENROUTER_BASE_URL", "openrouter.ai/api/v1", "OPENROUTER_BASE_URL='openrouter.ai/api/v1' is not a valid URL"),
            ("VLLM_BASE_URL", "http://localhost:8000/v1?x=1", "VLLM_BASE_URL='http://localhost:8000/v1?***' is not a valid base URL"),
            ("ANTHROPIC_BASE_URL", "localhost:8080", "ANTHROPIC_BASE_URL='localhost:8080' is not a valid URL"),
            ("AZURE_OPENAI_ENDPOINT", "myres.openai.azure.com", "AZURE_OPENAI_ENDPOINT='myres.openai.azure.com' is not a valid URL"),
            ("OLLAMA_HOST", "ftp://box:11434", "OLLAMA_HOST='ftp://box:11434' is not a valid Ollama host"),
        ])
    func invalidValue(variable: String, value: String, expected: String) throws {
        let error = try #require(loadError([variable: value]))
        #expect(error.category == .configuration)
        #expect(error.message.contains(expected), "\(error.message)")
        #expect(error.recoveryHint?.isEmpty == false)
    }

    @Test("The server's connection settings are read; the cap defaults to automatic, the shutdown deadline to 30 s")
    func serverConnectionSettings() throws {
        let defaults = try load().configuration.server
        #expect(defaults.maxConnections == nil)
        #expect(defaults.shutdownTimeout == .seconds(30))
        #expect(defaults.requestTimeout == .seconds(30))
        #expect(defaults.idleTimeout == .seconds(60))
        let server = try load([
            "KIMI_SERVER__REQUEST_TIMEOUT": "2.5", "KIMI_SERVER__IDLE_TIMEOUT": "90", "KIMI_SERVER__MAX_CONNECTIONS": "5000",
            "KIMI_SERVER__SHUTDOWN_TIMEOUT": "10",
        ]).configuration.server
        #expect(server.requestTimeout == .milliseconds(2500))
        #expect(server.idleTimeout == .seconds(90))
        #expect(server.maxConnections == 5000)
        #expect(server.shutdownTimeout == .seconds(10))
        let fromFile = try load(yaml: "server: {max_connections: 20, shutdown_timeout: 3600}").configuration.server
        #expect(fromFile.maxConnections == 20)
        #expect(fromFile.shutdownTimeout == .seconds(3600))
    }

    @Test(
        "server.max_connections and server.shutdown_timeout out of range are errors naming the range",
        arguments: [
            ("KIMI_SERVER__MAX_CONNECTIONS", "0", "KIMI_SERVER__MAX_CONNECTIONS='0' is out of range (expected 1...1000000)"),
            ("KIMI_SERVER__MAX_CONNECTIONS", "lots", "KIMI_SERVER__MAX_CONNECTIONS='lots' is not an integer"),
            ("KIMI_SERVER__SHUTDOWN_TIMEOUT", "0.5", "KIMI_SERVER__SHUTDOWN_TIMEOUT='0.5' is out of range (expected 1 to 3600 seconds)"),
            ("KIMI_SERVER__SHUTDOWN_TIMEOUT", "7200", "KIMI_SERVER__SHUTDOWN_TIMEOUT='7200' is out of range (expected 1 to 3600 seconds)"),
            ("KIMI_SERVER__SHUTDOWN_TIMEOUT", "soon", "KIMI_SERVER__SHUTDOWN_TIMEOUT='soon' is not a number of seconds"),
        ])
    func serverConnectionSettingsOutOfRange(variable: String, value: String, expected: String) throws {
        let error = try #require(loadError([variable: value]))
        #expect(error.message.contains(expected), "\(error.message)")
    }

    @Test("All problems are reported together in one error")
    func multipleErrors() throws {
        let error = try #require(
            loadError(
                ["KIMI_RETRY__MAX_ATTEMPTS": "abc", "KIMI_CACHE__ENABLED": "maybe", "OPENAI_BASE_URL": "nope"],
                yaml: "retry:\n  max_backoff: never\nproviders:\n  azure:\n    api_version: {a: b}\n"))
        #expect(error.message.hasPrefix("5 configuration problems:"))
        for expected in [
            "KIMI_RETRY__MAX_ATTEMPTS='abc'", "KIMI_CACHE__ENABLED='maybe'", "OPENAI_BASE_URL='nope'",
            "kimiswarm.yaml: retry.max_backoff='never' is not a number of seconds", "kimiswarm.yaml: providers.azure.api_version must be a string",
        ] {
            #expect(error.message.contains(expected), "missing \(expected)")
        }
    }

    @Test("An empty variable counts as unset")
    func emptyIsUnset() throws {
        let configuration = try load([
            "KIMI_RETRY__MAX_ATTEMPTS": "", "OPENAI_API_KEY": "", "OPENAI_BASE_URL": " ", "KIMI_DEFAULT_PROVIDER": "",
        ]).configuration
        #expect(configuration == KimiSwarmConfiguration())
        #expect(configuration.providers[.openai]?.apiKey == nil)
    }

    @Test(
        "Every provider key variable sets that provider's key",
        arguments: [
            (ProviderID.moonshot, "MOONSHOT_API_KEY"), (.openai, "OPENAI_API_KEY"), (.together, "TOGETHER_API_KEY"),
            (.openrouter, "OPENROUTER_API_KEY"), (.vllm, "VLLM_API_KEY"), (.anthropic, "ANTHROPIC_API_KEY"),
            (.azure, "AZURE_OPENAI_API_KEY"),
        ])
    func apiKeys(provider: ProviderID, variable: String) throws {
        let configuration = try load([variable: "key-for-\(provider)\n"]).configuration
        let settings = try configuration.provider(provider)
        #expect(settings.apiKey?.reveal() == "key-for-\(provider)")
        #expect(settings.apiKeyVariable == variable)
        for other in ProviderID.builtIn where other != provider {
            #expect(configuration.providers[other]?.apiKey == nil)
        }
    }

    @Test(
        "Every base URL variable sets that provider's base URL, without a trailing slash",
        arguments: [
            (ProviderID.moonshot, "MOONSHOT_BASE_URL", "https://api.moonshot.cn/v1/", "https://api.moonshot.cn/v1"),
            (.openai, "OPENAI_BASE_URL", "http://proxy.internal:8080/v1", "http://proxy.internal:8080/v1"),
            (.together, "TOGETHER_BASE_URL", "https://together.example/v1", "https://together.example/v1"),
            (.openrouter, "OPENROUTER_BASE_URL", "https://openrouter.example/api/v1", "https://openrouter.example/api/v1"),
            (.vllm, "VLLM_BASE_URL", "http://gpu-box:8000/v1", "http://gpu-box:8000/v1"),
            (.anthropic, "ANTHROPIC_BASE_URL", "http://localhost:8080", "http://localhost:8080"),
            (.azure, "AZURE_OPENAI_ENDPOINT", "https://myres.openai.azure.com/", "https://myres.openai.azure.com"),
        ])
    func baseURLs(provider: ProviderID, variable: String, value: String, expected: String) throws {
        let loaded = try load([variable: value])
        #expect(loaded.configuration.providers[provider]?.baseURL == expected)
        #expect(loaded.warnings.isEmpty)
    }

    @Test("ANTHROPIC_BASE_URL with a trailing /v1 loses it, with a warning", arguments: ["http://localhost:8080/v1", "http://localhost:8080/v1/", "http://localhost:8080/V1"])
    func anthropicV1IsStripped(value: String) throws {
        let loaded = try load(["ANTHROPIC_BASE_URL": value])
        #expect(loaded.configuration.providers[.anthropic]?.baseURL == "http://localhost:8080")
        #expect(loaded.warnings.count == 1)
        #expect(loaded.warnings.first?.contains("ANTHROPIC_BASE_URL ends with /v1") == true)
    }

    @Test(
        "OLLAMA_HOST is read as Ollama reads it and becomes <host>/v1",
        arguments: [
            ("http://localhost:11434", "http://localhost:11434/v1"),
            ("localhost:11434", "http://localhost:11434/v1"),
            ("0.0.0.0:8080", "http://0.0.0.0:8080/v1"),
            ("gpu-box", "http://gpu-box:11434/v1"),
            ("http://gpu-box", "http://gpu-box/v1"),
            ("https://ollama.example.com", "https://ollama.example.com/v1"),
            ("http://10.0.0.5:11434/", "http://10.0.0.5:11434/v1"),
            (":11434", "http://127.0.0.1:11434/v1"),
            ("[::1]:11434", "http://[::1]:11434/v1"),
        ])
    func ollamaHost(value: String, expected: String) throws {
        let loaded = try load(["OLLAMA_HOST": value])
        #expect(loaded.configuration.providers[.ollama]?.baseURL == expected)
        #expect(loaded.warnings.isEmpty)
    }

    @Test("Without OLLAMA_HOST, Ollama is at http://localhost:11434/v1; a /v1 in OLLAMA_HOST is removed with a warning")
    func ollamaDefaultsAndV1() throws {
        #expect(try load().configuration.providers[.ollama]?.baseURL == "http://localhost:11434/v1")
        let loaded = try load(["OLLAMA_HOST": "http://box:11434/v1"])
        #expect(loaded.configuration.providers[.ollama]?.baseURL == "http://box:11434/v1")
        #expect(loaded.warnings.first?.contains("OLLAMA_HOST") == true)
    }

    @Test("Azure: endpoint, API version and deployment")
    func azure() throws {
        let azure = try load([
            "AZURE_OPENAI_ENDPOINT": "https://myres.openai.azure.com", "AZURE_OPENAI_API_VERSION": "2025-01-01-preview",
            "AZURE_OPENAI_DEPLOYMENT": "my-gpt4o", "AZURE_OPENAI_API_KEY": "azure-key",
        ]).configuration.provider(.azure)
        #expect(azure.baseURL == "https://myres.openai.azure.com")
        #expect(azure.azureAPIVersion == "2025-01-01-preview")
        #expect(azure.defaultModel == "my-gpt4o")
        #expect(azure.apiKey?.reveal() == "azure-key")
    }

    @Test("KIMI_DEFAULT_PROVIDER, in any case, and KIMI_MODELS_FILE")
    func defaultProviderAndModelsFile() throws {
        let configuration = try load(["KIMI_DEFAULT_PROVIDER": "Anthropic", "KIMI_MODELS_FILE": "/srv/models.yaml"]).configuration
        #expect(configuration.defaultProvider == .anthropic)
        #expect(configuration.modelsFile == "/srv/models.yaml")
    }

    @Test("An unknown KIMI_*__* variable is a warning with a suggestion, not an error")
    func unknownVariables() throws {
        let loaded = try load(["KIMI_RETRY__MAX_ATTEMPT": "9", "KIMI_ROUTER__STRATEGY": "cheapest", "KIMI_OTHER_THING": "x"])
        #expect(loaded.warnings.count == 2)
        #expect(loaded.warnings.contains { $0.contains("KIMI_RETRY__MAX_ATTEMPT is not a KimiSwarm setting") && $0.contains("did you mean KIMI_RETRY__MAX_ATTEMPTS?") })
        #expect(loaded.warnings.contains { $0.contains("KIMI_ROUTER__STRATEGY") && !$0.contains("cheapest") })
        #expect(loaded.configuration.retry.maxAttempts == 3)
    }

    @Test("A retry's first backoff longer than the longest is an error naming both and where they came from")
    func backoffOrder() throws {
        let error = try #require(loadError(["KIMI_RETRY__INITIAL_BACKOFF": "40"], yaml: "retry: {max_backoff: 30}"))
        #expect(error.message.contains("retry.initial_backoff (40 s, from KIMI_RETRY__INITIAL_BACKOFF) is longer than retry.max_backoff (30 s, from kimiswarm.yaml (line 1))"))
    }

    @Test("Secrets never appear in errors, warnings or descriptions")
    func secretsNeverShow() throws {
        let canary = "sk-CANARY-0123456789abcdef"
        var environment: [String: String] = [:]
        for variable in ["MOONSHOT_API_KEY", "OPENAI_API_KEY", "TOGETHER_API_KEY", "OPENROUTER_API_KEY", "VLLM_API_KEY", "ANTHROPIC_API_KEY", "AZURE_OPENAI_API_KEY", "GROQ_KEY"] {
            environment[variable] = canary
        }
        let yaml = """
            providers:
              groq: {kind: openai_compatible, base_url: https://api.groq.com/openai/v1, api_key_env: GROQ_KEY}
              mine: {kind: openai_compatible, base_url: "http://localhost:1/v1", api_key: \(canary)}
            """
        let loaded = try load(environment, yaml: yaml)
        #expect(loaded.configuration.providers["mine"]?.apiKey?.reveal() == canary)
        #expect(loaded.configuration.providers["groq"]?.apiKey?.reveal() == canary)
        #expect(loaded.warnings.contains { $0.contains("providers.mine.api_key holds an API key") })
        var texts = loaded.warnings
        texts.append(String(describing: loaded.configuration))
        texts.append(String(reflecting: loaded.configuration))
        var dumped = ""
        dump(loaded.configuration, to: &dumped)
        texts.append(dumped)

        // A key pasted into the wrong settings, plus broken settings next to a literal key.
        environment["OPENAI_BASE_URL"] = canary
        environment["KIMI_RETRY__MAX_ATTEMPTS"] = canary
        environment["AZURE_OPENAI_ENDPOINT"] = "https://user:\(canary)@myres.openai.azure.com?x"
        let brokenYAML = """
            providers:
              mine:
                kind: openai_compatible
                base_url: "http://localhost:1/v1"
                api_key: \(canary)
                api_kye: \(canary)
              other: {kind: openai_compatible, base_url: "http://localhost:2/v1", api_key_env: \(canary)}
            retry: {max_backoff: \(canary)}
            """
        let error = try #require(loadError(environment, yaml: brokenYAML))
        texts += [error.message, error.description, error.recoveryHint ?? "", String(describing: error.jsonValue)]
        #expect(error.message.contains("OPENAI_BASE_URL='***'"))
        #expect(error.message.contains("AZURE_OPENAI_ENDPOINT='https://***@myres.openai.azure.com?***'"))
        #expect(error.message.contains("providers.other.api_key_env looks like an API key"))
        let syntax = try #require(loadError(yaml: "providers:\n  mine:\n    api_key: \(canary)\n  - oops: [\n"))
        texts += [syntax.message, syntax.description]
        for text in texts {
            #expect(!text.contains(canary), "leaked in: \(text)")
            #expect(!text.contains("CANARY"), "leaked in: \(text)")
        }
    }
}

@Suite("Configuration loader: config file path")
struct ConfigurationLoaderPathTests {
    @Test("The explicit path wins, then KIMI_CONFIG_FILE, then ./kimiswarm.yaml, then the user's config folder")
    func order() {
        let environment = ["KIMI_CONFIG_FILE": "/etc/k.yaml", "HOME": "/home/u", "XDG_CONFIG_HOME": "/home/u/.xdg"]
        let all: (String) -> Bool = { _ in true }
        #expect(ConfigurationLoader.configFilePath(environment: environment, explicit: "cli.yaml", fileExists: { _ in false }) == "cli.yaml")
        #expect(ConfigurationLoader.configFilePath(environment: environment, explicit: nil, fileExists: { _ in false }) == "/etc/k.yaml")
        #expect(ConfigurationLoader.configFilePath(environment: ["HOME": "/home/u"], explicit: "", fileExists: all) == "./kimiswarm.yaml")
        #expect(
            ConfigurationLoader.configFilePath(environment: environment.filter { $0.key != "KIMI_CONFIG_FILE" }, explicit: nil) {
                $0 == "/home/u/.xdg/kimiswarm/config.yaml"
            } == "/home/u/.xdg/kimiswarm/config.yaml")
        #expect(
            ConfigurationLoader.configFilePath(environment: ["HOME": "/home/u"], explicit: nil) {
                $0 == "/home/u/.config/kimiswarm/config.yaml"
            } == "/home/u/.config/kimiswarm/config.yaml")
        #expect(ConfigurationLoader.configFilePath(environment: ["HOME": "/home/u"], explicit: nil, fileExists: { _ in false }) == nil)
    }

    @Test("A missing file named by --config or KIMI_CONFIG_FILE is a clear error")
    func missingNamedFile() throws {
        do {
            _ = try ConfigurationLoader.requireConfigFilePath(environment: [:], explicit: "prod.yaml", fileExists: { _ in false })
            Issue.record("expected an error")
        } catch {
            #expect(error.category == .configuration)
            #expect(error.message == "--config names the file 'prod.yaml', which does not exist")
        }
        do {
            _ = try ConfigurationLoader.requireConfigFilePath(environment: ["KIMI_CONFIG_FILE": "/x.yaml"], explicit: nil, fileExists: { _ in false })
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("KIMI_CONFIG_FILE names the file '/x.yaml'"))
        }
        #expect(try ConfigurationLoader.requireConfigFilePath(environment: ["HOME": "/h"], explicit: nil, fileExists: { _ in false }) == nil)
        #expect(try ConfigurationLoader.requireConfigFilePath(environment: [:], explicit: "a.yaml", fileExists: { _ in true }) == "a.yaml")
        let error = ConfigurationLoader.missingFileError(path: "m.yaml", namedBy: "KIMI_MODELS_FILE")
        #expect(error.message.contains("KIMI_MODELS_FILE names the file 'm.yaml'"))
        #expect(error.recoveryHint != nil)
    }
}
