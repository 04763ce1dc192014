/// A provider-neutral chat completion request.
///
/// Every field but `messages` is optional; a provider sends only what the request sets
/// (plus its documented defaults, such as Kimi's recommended sampling values).
public struct ChatRequest: Codable, Sendable, Hashable {
    /// The model id; `nil` means the provider's default model.
    public var model: String?
    /// The conversation so far.
    public var messages: [ChatMessage]
    /// Sampling temperature.
    public var temperature: Double?
    /// Nucleus sampling probability mass.
    public var topP: Double?
    /// Upper bound on generated tokens.
    public var maxTokens: Int?
    /// Sequences that stop generation.
    public var stop: [String]
    /// Tools the model may call.
    public var tools: [ToolDefinition]
    /// How the model picks tools.
    public var toolChoice: ToolChoice?
    /// Whether the model may call several tools in one turn.
    public var parallelToolCalls: Bool?
    /// Plain text, any JSON object, or JSON matching a schema.
    public var responseFormat: ResponseFormat?
    /// Thinking on or off; `nil` leaves the provider's default.
    public var thinking: ThinkingMode?
    /// Reasoning effort for models that take one (OpenAI o-series, gpt-5).
    public var reasoningEffort: String?
    /// Streaming options; usage is requested in the last chunk by default.
    public var streamOptions: StreamOptions
    /// Seed for reproducible sampling where supported.
    public var seed: Int?
    /// Presence penalty.
    public var presencePenalty: Double?
    /// Frequency penalty.
    public var frequencyPenalty: Double?
    /// An end-user identifier forwarded to the provider (`user` / `metadata.user_id`).
    public var user: String?
    /// Provider-specific fields merged into the request body as given (an escape hatch).
    public var extraBody: [String: JSONValue]
    /// How KimiSwarm handles the request (cache, routing hints); never sent to a provider.
    public var options: RequestOptions

    /// Creates a request.
    public init(
        model: String? = nil,
        messages: [ChatMessage],
        temperature: Double? = nil,
        topP: Double? = nil,
        maxTokens: Int? = nil,
        stop: [String] = [],
        tools: [ToolDefinition] = [],
        toolChoice: ToolChoice? = nil,
        parallelToolCalls: Bool? = nil,
        responseFormat: ResponseFormat? = nil,
        thinking: ThinkingMode? = nil,
        reasoningEffort: String? = nil,
        streamOptions: StreamOptions = StreamOptions(),
        seed: Int? = nil,
        presencePenalty: Double? = nil,
        frequencyPenalty: Double? = nil,
        user: String? = nil,
        extraBody: [String: JSONValue] = [:],
        options: RequestOptions = RequestOptions()
    ) {
        self.model = model
        self.messages = messages
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.stop = stop
        self.tools = tools
        self.toolChoice = toolChoice
        self.parallelToolCalls = parallelToolCalls
        self.responseFormat = responseFormat
        self.thinking = thinking
        self.reasoningEffort = reasoningEffort
        self.streamOptions = streamOptions
        self.seed = seed
        self.presencePenalty = presencePenalty
        self.frequencyPenalty = frequencyPenalty
        self.user = user
        self.extraBody = extraBody
        self.options = options
    }

    private enum CodingKeys: String, CodingKey {
        case model, messages, temperature, topP, maxTokens, stop, tools, toolChoice, parallelToolCalls
        case responseFormat, thinking, reasoningEffort, streamOptions, seed, presencePenalty, frequencyPenalty
        case user, extraBody, options
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decodeIfPresent(String.self, forKey: .model)
        messages = try container.decode([ChatMessage].self, forKey: .messages)
        temperature = try container.decodeIfPresent(Double.self, forKey: .temperature)
        topP = try container.decodeIfPresent(Double.self, forKey: .topP)
        maxTokens = try container.decodeIfPresent(Int.self, forKey: .maxTokens)
        stop = try container.decodeIfPresent([String].self, forKey: .stop) ?? []
        tools = try container.decodeIfPresent([ToolDefinition].self, forKey: .tools) ?? []
        toolChoice = try container.decodeIfPresent(ToolChoice.self, forKey: .toolChoice)
        parallelToolCalls = try container.decodeIfPresent(Bool.self, forKey: .parallelToolCalls)
        responseFormat = try container.decodeIfPresent(ResponseFormat.self, forKey: .responseFormat)
        thinking = try container.decodeIfPresent(ThinkingMode.self, forKey: .thinking)
        reasoningEffort = try container.decodeIfPresent(String.self, forKey: .reasoningEffort)
        streamOptions = try container.decodeIfPresent(StreamOptions.self, forKey: .streamOptions) ?? StreamOptions()
        seed = try container.decodeIfPresent(Int.self, forKey: .seed)
        presencePenalty = try container.decodeIfPresent(Double.self, forKey: .presencePenalty)
        frequencyPenalty = try container.decodeIfPresent(Double.self, forKey: .frequencyPenalty)
        user = try container.decodeIfPresent(String.self, forKey: .user)
        extraBody = try container.decodeIfPresent([String: JSONValue].self, forKey: .extraBody) ?? [:]
        options = try container.decodeIfPresent(RequestOptions.self, forKey: .options) ?? RequestOptions()
    }
}

/// A tool the model may call, described by a JSON Schema of its arguments.
public struct ToolDefinition: Codable, Sendable, Hashable {
    /// The tool's name (letters, digits, `_` and `-`).
    public var name: String
    /// What the tool does, for the model.
    public var description: String?
    /// JSON Schema of the arguments object.
    public var parameters: JSONValue
    /// Ask the provider to enforce the schema strictly, where supported.
    public var strict: Bool?

    /// Creates a tool definition.
    public init(name: String, description: String? = nil, parameters: JSONValue = ["type": "object", "properties": [:]], strict: Bool? = nil) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.strict = strict
    }
}

/// How the model chooses among tools.
public enum ToolChoice: Codable, Sendable, Hashable {
    /// The model decides.
    case auto
    /// No tool calls.
    case none
    /// At least one tool call.
    case required
    /// This tool must be called.
    case tool(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            switch text {
            case "auto": self = .auto
            case "none": self = .none
            case "required", "any": self = .required
            default: self = .tool(text)
            }
            return
        }
        let object = try container.decode(JSONValue.self)
        guard let name = object["function"]?["name"]?.stringValue ?? object["name"]?.stringValue else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "tool choice must be 'auto', 'none', 'required' or name a function")
        }
        self = .tool(name)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .auto: try container.encode("auto")
        case .none: try container.encode("none")
        case .required: try container.encode("required")
        case .tool(let name): try container.encode(JSONValue.object(["type": "function", "function": ["name": .string(name)]]))
        }
    }
}

/// The shape of the answer.
public enum ResponseFormat: Codable, Sendable, Hashable {
    /// Free text (the default).
    case text
    /// Any valid JSON object.
    case jsonObject
    /// JSON that matches a schema.
    case jsonSchema(name: String, schema: JSONValue, strict: Bool)

    private enum CodingKeys: String, CodingKey { case type, name, schema, strict }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .type) {
        case "text": self = .text
        case "json_object": self = .jsonObject
        case "json_schema":
            self = .jsonSchema(
                name: try container.decode(String.self, forKey: .name),
                schema: try container.decode(JSONValue.self, forKey: .schema),
                strict: try container.decodeIfPresent(Bool.self, forKey: .strict) ?? false)
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container,
                debugDescription: "unknown response format '\(other)'; expected text, json_object or json_schema")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .text: try container.encode("text", forKey: .type)
        case .jsonObject: try container.encode("json_object", forKey: .type)
        case .jsonSchema(let name, let schema, let strict):
            try container.encode("json_schema", forKey: .type)
            try container.encode(name, forKey: .name)
            try container.encode(schema, forKey: .schema)
            try container.encode(strict, forKey: .strict)
        }
    }
}

/// Whether the model thinks before answering.
public enum ThinkingMode: Codable, Sendable, Hashable {
    /// Thinking on, with an optional token budget (Anthropic requires one; a default is used).
    case enabled(budgetTokens: Int?)
    /// Thinking off (Kimi: `thinking: {"type": "disabled"}`; vLLM: `chat_template_kwargs.thinking = false`).
    case disabled

    private enum CodingKeys: String, CodingKey { case type, budgetTokens }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .type) {
        case "enabled": self = .enabled(budgetTokens: try container.decodeIfPresent(Int.self, forKey: .budgetTokens))
        case "disabled": self = .disabled
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container, debugDescription: "unknown thinking type '\(other)'; expected enabled or disabled")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .enabled(let budget):
            try container.encode("enabled", forKey: .type)
            try container.encodeIfPresent(budget, forKey: .budgetTokens)
        case .disabled:
            try container.encode("disabled", forKey: .type)
        }
    }

    /// `true` unless thinking is explicitly disabled.
    public var isEnabled: Bool {
        if case .disabled = self { return false }
        return true
    }
}

/// Options for streamed responses.
public struct StreamOptions: Codable, Sendable, Hashable {
    /// Ask for token usage in the final chunk (`stream_options.include_usage`).
    public var includeUsage: Bool

    /// Creates stream options; usage is included by default.
    public init(includeUsage: Bool = true) {
        self.includeUsage = includeUsage
    }
}
