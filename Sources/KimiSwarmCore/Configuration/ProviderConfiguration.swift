/// How KimiSwarm talks to a provider's API.
public enum ProviderKind: String, Codable, Sendable, Hashable, CaseIterable {
    /// OpenAI's `/chat/completions` wire format (Moonshot, OpenAI, Together, OpenRouter, vLLM, Ollama, ...).
    case openAICompatible = "openai_compatible"
    /// Azure OpenAI: deployment URLs, `api-version`, `api-key` header.
    case azureOpenAI = "azure"
    /// Anthropic's Messages API.
    case anthropic
}

/// The settings of one provider.
public struct ProviderConfiguration: Sendable, Hashable {
    /// The provider's name.
    public var id: ProviderID
    /// The wire format it speaks.
    public var kind: ProviderKind
    /// The API's base URL. OpenAI-compatible: up to and including `/v1`; Anthropic: without
    /// `/v1` (as the official SDKs take it); Azure: the resource endpoint.
    public var baseURL: String
    /// The API key, if one is set.
    public var apiKey: Secret?
    /// The environment variable that supplies the key, named in error messages.
    public var apiKeyVariable: String?
    /// Whether a request without a key should be refused before it is sent.
    public var requiresAPIKey: Bool
    /// The model used when a request names none.
    public var defaultModel: String?
    /// The embedding model used when an embedding request names none.
    public var defaultEmbeddingModel: String?
    /// Extra HTTP headers sent with every request (e.g. OpenRouter's `HTTP-Referer`).
    public var headers: [String: String]
    /// Longest time a whole request may take, streamed or not.
    public var requestTimeout: Duration
    /// Longest wait for the first byte of the answer (a stream's first chunk; a non-streaming
    /// answer arrives whole, so there the request timeout governs).
    public var firstByteTimeout: Duration
    /// Longest time to establish a connection.
    public var connectTimeout: Duration
    /// Longest silence between two chunks of a stream.
    public var streamIdleTimeout: Duration
    /// Azure: the `api-version` query parameter.
    public var azureAPIVersion: String
    /// Azure: model id → deployment name; a model without an entry is used as the deployment name.
    public var azureDeployments: [String: String]
    /// Anthropic: the `anthropic-version` header.
    public var anthropicVersion: String
    /// OpenAI-compatible: the vendor conventions this endpoint follows.
    public var dialect: OpenAIDialect
    /// This provider's own client-side limits (`providers.<name>.rate_limit`: a tier preset and
    /// overrides of the client-wide `rate_limit` section).
    public var rateLimit: ProviderRateLimit

    /// This provider's concurrency limit (`providers.<name>.max_concurrent`, the same as
    /// `rate_limit.max_concurrent`).
    public var maxConcurrent: Int? {
        get { rateLimit.maxConcurrent }
        set { rateLimit.maxConcurrent = newValue }
    }
    /// This provider's requests per minute (`providers.<name>.requests_per_minute`: `rate_limit.max_requests`
    /// over a 60 s window); `nil` when its requests are limited over another window or not at all.
    public var requestsPerMinute: Int? {
        get { rateLimit.window == nil || rateLimit.window == .seconds(60) ? rateLimit.maxRequests : nil }
        set {
            rateLimit.maxRequests = newValue
            rateLimit.window = newValue == nil ? nil : .seconds(60)
        }
    }
    /// This provider's tokens per minute (`providers.<name>.tokens_per_minute`, the same as
    /// `rate_limit.max_tokens_per_minute`).
    public var tokensPerMinute: Int? {
        get { rateLimit.maxTokensPerMinute }
        set { rateLimit.maxTokensPerMinute = newValue }
    }

    /// Creates provider settings; `maxConcurrent`, `requestsPerMinute` and `tokensPerMinute`,
    /// when given, override the matching values of `rateLimit`.
    public init(
        id: ProviderID,
        kind: ProviderKind,
        baseURL: String,
        apiKey: Secret? = nil,
        apiKeyVariable: String? = nil,
        requiresAPIKey: Bool = true,
        defaultModel: String? = nil,
        defaultEmbeddingModel: String? = nil,
        headers: [String: String] = [:],
        requestTimeout: Duration = .seconds(600),
        firstByteTimeout: Duration = .seconds(120),
        connectTimeout: Duration = .seconds(10),
        streamIdleTimeout: Duration = .seconds(120),
        azureAPIVersion: String = "2024-10-21",
        azureDeployments: [String: String] = [:],
        anthropicVersion: String = "2023-06-01",
        dialect: OpenAIDialect = .standard,
        rateLimit: ProviderRateLimit = ProviderRateLimit(),
        maxConcurrent: Int? = nil,
        requestsPerMinute: Int? = nil,
        tokensPerMinute: Int? = nil
    ) {
        self.id = id
        self.kind = kind
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.apiKeyVariable = apiKeyVariable
        self.requiresAPIKey = requiresAPIKey
        self.defaultModel = defaultModel
        self.defaultEmbeddingModel = defaultEmbeddingModel
        self.headers = headers
        self.requestTimeout = requestTimeout
        self.firstByteTimeout = firstByteTimeout
        self.connectTimeout = connectTimeout
        self.streamIdleTimeout = streamIdleTimeout
        self.azureAPIVersion = azureAPIVersion
        self.azureDeployments = azureDeployments
        self.anthropicVersion = anthropicVersion
        self.dialect = dialect
        self.rateLimit = rateLimit
        if let maxConcurrent { self.maxConcurrent = maxConcurrent }
        if let requestsPerMinute { self.requestsPerMinute = requestsPerMinute }
        if let tokensPerMinute { self.tokensPerMinute = tokensPerMinute }
    }

    /// Connect timeout of servers that usually run nearby (vLLM, Ollama): they answer at once
    /// or not at all, and a refused connection is retried until this deadline.
    public static let localConnectTimeout: Duration = .seconds(3)

    /// The built-in settings of a known provider, before the environment and config file
    /// apply; `nil` for a name that is not built in.
    public static func builtIn(_ id: ProviderID) -> ProviderConfiguration? {
        switch id {
        case .moonshot:
            return ProviderConfiguration(
                id: id, kind: .openAICompatible, baseURL: "https://api.moonshot.ai/v1",
                apiKeyVariable: "MOONSHOT_API_KEY", defaultModel: "kimi-k2.6", dialect: .moonshot)
        case .openai:
            return ProviderConfiguration(
                id: id, kind: .openAICompatible, baseURL: "https://api.openai.com/v1",
                apiKeyVariable: "OPENAI_API_KEY", defaultModel: "gpt-5-mini",
                defaultEmbeddingModel: "text-embedding-3-small", dialect: .openai)
        case .together:
            return ProviderConfiguration(
                id: id, kind: .openAICompatible, baseURL: "https://api.together.xyz/v1",
                apiKeyVariable: "TOGETHER_API_KEY", defaultModel: "moonshotai/Kimi-K2-Instruct-0905",
                defaultEmbeddingModel: "BAAI/bge-large-en-v1.5")
        case .openrouter:
            return ProviderConfiguration(
                id: id, kind: .openAICompatible, baseURL: "https://openrouter.ai/api/v1",
                apiKeyVariable: "OPENROUTER_API_KEY", defaultModel: "moonshotai/kimi-k2")
        case .vllm:
            return ProviderConfiguration(
                id: id, kind: .openAICompatible, baseURL: "http://localhost:8000/v1",
                apiKeyVariable: "VLLM_API_KEY", requiresAPIKey: false, connectTimeout: localConnectTimeout, dialect: .vllm)
        case .ollama:
            return ProviderConfiguration(
                id: id, kind: .openAICompatible, baseURL: "http://localhost:11434/v1",
                requiresAPIKey: false, connectTimeout: localConnectTimeout)
        case .azure:
            return ProviderConfiguration(
                id: id, kind: .azureOpenAI, baseURL: "",
                apiKeyVariable: "AZURE_OPENAI_API_KEY", dialect: .openai)
        case .anthropic:
            return ProviderConfiguration(
                id: id, kind: .anthropic, baseURL: "https://api.anthropic.com",
                apiKeyVariable: "ANTHROPIC_API_KEY", defaultModel: "claude-sonnet-4-5")
        default:
            return nil
        }
    }
}

/// Conventions of OpenAI-compatible endpoints that differ from OpenAI's own.
public enum OpenAIDialect: String, Codable, Sendable, Hashable, CaseIterable {
    /// Plain OpenAI-compatible server; Kimi conventions apply when the model is a Kimi model.
    case standard
    /// OpenAI itself: never sends fields other servers accept (`reasoning_content`, `thinking`).
    case openai
    /// Moonshot: `thinking: {"type": ...}`, `reasoning_content` echoed back, special tokens stripped.
    case moonshot
    /// vLLM / SGLang serving Kimi: `chat_template_kwargs.thinking`, `reasoning_content` echoed back.
    case vllm
}
