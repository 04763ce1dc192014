import KimiSwarmCore

/// Encodes a ``ChatRequest`` as an OpenAI-compatible `/chat/completions` body, following the
/// endpoint's dialect.
///
/// Kimi conventions (Moonshot, vLLM, or any Kimi model on a standard endpoint):
/// `reasoning_content` is sent back on assistant messages; thinking is switched with
/// `thinking: {"type": ...}` (Moonshot) or `chat_template_kwargs.thinking` (vLLM); unset
/// sampling values take Moonshot's recommendations (temperature 1.0 with thinking, 0.6
/// without; top_p 0.95).
struct OpenAIRequestEncoder: Sendable {
    let provider: ProviderConfiguration
    /// What the registry knows of the model, if anything.
    let modelEntry: ModelEntry?

    static func isKimi(model: String, dialect: OpenAIDialect) -> Bool {
        switch dialect {
        case .openai: return false
        case .moonshot: return true
        case .vllm, .standard: return model.lowercased().contains("kimi")
        }
    }

    func body(for request: ChatRequest, model: String, stream: Bool) throws -> JSONValue {
        let dialect = provider.dialect
        let kimi = Self.isKimi(model: model, dialect: dialect)
        var body: [String: JSONValue] = [
            "model": .string(model),
            "messages": .array(try request.messages.map { try encode($0, kimi: kimi) }),
        ]
        var temperature = request.temperature
        var topP = request.topP
        if kimi {
            let thinkingCapable = modelEntry.map { $0.capabilities.contains(.thinking) } ?? true
            let thinkingOn = thinkingCapable && (request.thinking?.isEnabled ?? true)
            temperature = temperature ?? (thinkingOn ? 1.0 : 0.6)
            topP = topP ?? 0.95
        }
        if let temperature { body["temperature"] = .double(temperature) }
        if let topP { body["top_p"] = .double(topP) }
        if let maxTokens = request.maxTokens {
            body[dialect == .openai ? "max_completion_tokens" : "max_tokens"] = .int(maxTokens)
        }
        if !request.stop.isEmpty { body["stop"] = .array(request.stop.map(JSONValue.string)) }
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map(Self.encode(tool:)))
        }
        if let choice = request.toolChoice { body["tool_choice"] = Self.encode(choice: choice) }
        if let parallel = request.parallelToolCalls, !request.tools.isEmpty { body["parallel_tool_calls"] = .bool(parallel) }
        if let format = request.responseFormat { body["response_format"] = Self.encode(format: format) }
        if let seed = request.seed { body["seed"] = .int(seed) }
        if let value = request.presencePenalty { body["presence_penalty"] = .double(value) }
        if let value = request.frequencyPenalty { body["frequency_penalty"] = .double(value) }
        if let user = request.user { body["user"] = .string(user) }
        if let effort = request.reasoningEffort { body["reasoning_effort"] = .string(effort) }
        if let thinking = request.thinking {
            switch dialect {
            case .moonshot:
                body["thinking"] = ["type": .string(thinking.isEnabled ? "enabled" : "disabled")]
            case .vllm:
                body["chat_template_kwargs"] = ["thinking": .bool(thinking.isEnabled)]
            case .standard where kimi:
                body["chat_template_kwargs"] = ["thinking": .bool(thinking.isEnabled)]
            case .standard, .openai:
                break
            }
        }
        if stream {
            body["stream"] = true
            if request.streamOptions.includeUsage { body["stream_options"] = ["include_usage": true] }
        }
        for (key, value) in request.extraBody { body[key] = value }
        return .object(body)
    }

    private func encode(_ message: ChatMessage, kimi: Bool) throws -> JSONValue {
        var object: [String: JSONValue] = ["role": .string(message.role.rawValue)]
        switch message.role {
        case .system:
            object["content"] = .string(message.text)
        case .user:
            object["content"] = Self.encode(content: message.content)
        case .assistant:
            object["content"] = message.content.map { .string($0.text) } ?? .null
            if !message.toolCalls.isEmpty {
                object["tool_calls"] = .array(message.toolCalls.map { call in
                    [
                        "id": .string(call.id), "type": "function",
                        "function": ["name": .string(call.name), "arguments": .string(call.arguments.isEmpty ? "{}" : call.arguments)],
                    ]
                })
            }
            if kimi, let reasoning = message.reasoningContent {
                object["reasoning_content"] = .string(reasoning)
            }
        case .tool:
            guard let callID = message.toolCallID, !callID.isEmpty else {
                throw KimiSwarmError.invalidRequest(
                    "a tool message has no tool call id",
                    hint: "Set toolCallID to the id of the assistant's tool call it answers.", provider: provider.id)
            }
            object["tool_call_id"] = .string(callID)
            object["content"] = .string(message.text)
        }
        if let name = message.name { object["name"] = .string(name) }
        return .object(object)
    }

    static func encode(content: MessageContent?) -> JSONValue {
        switch content {
        case nil:
            return .string("")
        case .text(let text):
            return .string(text)
        case .parts(let parts):
            return .array(parts.map { part in
                switch part {
                case .text(let text):
                    return ["type": "text", "text": .string(text)]
                case .image(let image):
                    var imageURL: [String: JSONValue] = ["url": .string(image.url)]
                    if let detail = image.detail { imageURL["detail"] = .string(detail.rawValue) }
                    return ["type": "image_url", "image_url": .object(imageURL)]
                }
            })
        }
    }

    static func encode(tool: ToolDefinition) -> JSONValue {
        var function: [String: JSONValue] = ["name": .string(tool.name), "parameters": tool.parameters]
        if let description = tool.description { function["description"] = .string(description) }
        if let strict = tool.strict { function["strict"] = .bool(strict) }
        return ["type": "function", "function": .object(function)]
    }

    static func encode(choice: ToolChoice) -> JSONValue {
        switch choice {
        case .auto: return "auto"
        case .none: return "none"
        case .required: return "required"
        case .tool(let name): return ["type": "function", "function": ["name": .string(name)]]
        }
    }

    static func encode(format: ResponseFormat) -> JSONValue {
        switch format {
        case .text: return ["type": "text"]
        case .jsonObject: return ["type": "json_object"]
        case .jsonSchema(let name, let schema, let strict):
            return ["type": "json_schema", "json_schema": ["name": .string(name), "schema": schema, "strict": .bool(strict)]]
        }
    }
}
