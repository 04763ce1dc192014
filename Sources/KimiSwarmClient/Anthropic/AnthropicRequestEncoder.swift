import KimiSwarmCore

/// Encodes a ``ChatRequest`` as an Anthropic Messages API body.
///
/// System messages become the top-level `system` field; tool results become `tool_result`
/// blocks in a user turn; assistant tool calls become `tool_use` blocks; reasoning with its
/// signature goes back as a `thinking` block; adjacent turns of one role are merged, as the
/// API requires alternating roles.
struct AnthropicRequestEncoder: Sendable {
    let provider: ProviderConfiguration
    let modelEntry: ModelEntry?

    /// Output tokens when neither the request nor the registry says.
    static let defaultMaxTokens = 4096
    /// Thinking budget when thinking is enabled without one.
    static let defaultThinkingBudget = 4096

    func body(for request: ChatRequest, model: String, stream: Bool) throws -> JSONValue {
        var systemParts = request.messages.filter { $0.role == .system }.map(\.text).filter { !$0.isEmpty }
        switch request.responseFormat {
        case .jsonObject:
            systemParts.append("Respond with a single JSON object and nothing else.")
        case .jsonSchema(_, let schema, _):
            systemParts.append("Respond with a single JSON object that matches this JSON Schema, and nothing else:\n\(schema.canonicalText)")
        case .text, nil:
            break
        }
        var turns: [(role: String, blocks: [JSONValue])] = []
        for message in request.messages where message.role != .system {
            let (role, blocks) = try encode(message)
            if let last = turns.last, last.role == role {
                turns[turns.count - 1].blocks.append(contentsOf: blocks)
            } else {
                turns.append((role, blocks))
            }
        }
        guard !turns.isEmpty else {
            throw KimiSwarmError.invalidRequest(
                "an Anthropic request needs at least one user message besides the system prompt", provider: provider.id)
        }
        var body: [String: JSONValue] = [
            "model": .string(model),
            "messages": .array(turns.map { turn in
                ["role": .string(turn.role), "content": .array(turn.blocks)]
            }),
        ]
        if !systemParts.isEmpty { body["system"] = .string(systemParts.joined(separator: "\n\n")) }
        var maxTokens = request.maxTokens ?? modelEntry?.maxOutputTokens.map { min($0, 16_384) } ?? Self.defaultMaxTokens
        if case .enabled(let requestedBudget) = request.thinking {
            let budget = requestedBudget ?? Self.defaultThinkingBudget
            guard budget >= 1024 else {
                throw KimiSwarmError.invalidRequest(
                    "Anthropic's thinking budget must be at least 1024 tokens (got \(budget))", provider: provider.id)
            }
            if request.maxTokens == nil {
                maxTokens = max(maxTokens, budget + Self.defaultMaxTokens)
            } else if maxTokens <= budget {
                throw KimiSwarmError.invalidRequest(
                    "max_tokens (\(maxTokens)) must be larger than the thinking budget (\(budget))",
                    hint: "Raise max_tokens or lower the thinking budget.", provider: provider.id)
            }
            body["thinking"] = ["type": "enabled", "budget_tokens": .int(budget)]
        }
        body["max_tokens"] = .int(maxTokens)
        if let temperature = request.temperature { body["temperature"] = .double(temperature) }
        if let topP = request.topP { body["top_p"] = .double(topP) }
        if !request.stop.isEmpty { body["stop_sequences"] = .array(request.stop.map(JSONValue.string)) }
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map { tool in
                var object: [String: JSONValue] = ["name": .string(tool.name), "input_schema": tool.parameters]
                if let description = tool.description { object["description"] = .string(description) }
                return .object(object)
            })
        }
        if var choice = Self.encode(choice: request.toolChoice, hasTools: !request.tools.isEmpty) {
            if request.parallelToolCalls == false, case .object(var object) = choice, object["type"] != "none" {
                object["disable_parallel_tool_use"] = true
                choice = .object(object)
            }
            body["tool_choice"] = choice
        }
        if let user = request.user { body["metadata"] = ["user_id": .string(user)] }
        if stream { body["stream"] = true }
        for (key, value) in request.extraBody { body[key] = value }
        return .object(body)
    }

    private func encode(_ message: ChatMessage) throws -> (String, [JSONValue]) {
        switch message.role {
        case .system:
            return ("user", [])
        case .user:
            return ("user", Self.encode(content: message.content))
        case .assistant:
            var blocks: [JSONValue] = []
            if let reasoning = message.reasoningContent, let signature = message.reasoningSignature {
                blocks.append(["type": "thinking", "thinking": .string(reasoning), "signature": .string(signature)])
            }
            let text = message.text
            if !text.isEmpty { blocks.append(["type": "text", "text": .string(text)]) }
            for call in message.toolCalls {
                let input: JSONValue
                do {
                    input = try call.parsedArguments()
                } catch {
                    throw KimiSwarmError.invalidRequest(
                        "the arguments of tool call '\(call.id)' (\(call.name)) are not valid JSON",
                        hint: "Anthropic needs tool_use input as a JSON object.", provider: provider.id)
                }
                blocks.append(["type": "tool_use", "id": .string(call.id), "name": .string(call.name), "input": input])
            }
            if blocks.isEmpty { blocks.append(["type": "text", "text": ""]) }
            return ("assistant", blocks)
        case .tool:
            guard let callID = message.toolCallID, !callID.isEmpty else {
                throw KimiSwarmError.invalidRequest(
                    "a tool message has no tool call id",
                    hint: "Set toolCallID to the id of the assistant's tool call it answers.", provider: provider.id)
            }
            let content: JSONValue
            if case .parts = message.content {
                content = .array(Self.encode(content: message.content))
            } else {
                content = .string(message.text)
            }
            return ("user", [["type": "tool_result", "tool_use_id": .string(callID), "content": content]])
        }
    }

    static func encode(content: MessageContent?) -> [JSONValue] {
        switch content {
        case nil:
            return []
        case .text(let text):
            return [["type": "text", "text": .string(text)]]
        case .parts(let parts):
            return parts.map { part in
                switch part {
                case .text(let text):
                    return ["type": "text", "text": .string(text)]
                case .image(let image):
                    if let inline = image.inlineData {
                        return [
                            "type": "image",
                            "source": ["type": "base64", "media_type": .string(inline.mediaType), "data": .string(inline.base64)],
                        ]
                    }
                    return ["type": "image", "source": ["type": "url", "url": .string(image.url)]]
                }
            }
        }
    }

    static func encode(choice: ToolChoice?, hasTools: Bool) -> JSONValue? {
        switch choice {
        case nil: return nil
        case .auto?: return hasTools ? ["type": "auto"] : nil
        case .none?: return hasTools ? ["type": "none"] : nil
        case .required?: return ["type": "any"]
        case .tool(let name)?: return ["type": "tool", "name": .string(name)]
        }
    }
}
