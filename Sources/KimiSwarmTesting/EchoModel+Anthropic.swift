extension EchoModel {
    /// `POST .../messages`: the echo answer in Anthropic's Messages shapes.
    static func anthropicMessages(_ request: RecordedRequest) -> FakeResponse {
        let parsed: (json: WireJSON, messages: [Message])
        switch anthropicConversation(request) {
        case .success(let value): parsed = value
        case .failure(let failure): return failure.response
        }
        let json = parsed.json
        let toolName = json["tools"]?[0].map { $0["name"]?.stringValue ?? "tool" }
        let turn = turn(messages: parsed.messages, firstToolName: toolName)

        let id = "msg_echo_\(request.sequenceNumber)"
        let model = json["model"]?.stringValue ?? modelIDs[0]
        let toolUses = turn.toolName.map {
            [AnthropicWire.ToolUse(id: "toolu_echo_\(request.sequenceNumber)", name: $0, inputJSON: turn.toolArguments)]
        } ?? []
        let usage = AnthropicWire.Usage(inputTokens: turn.promptTokens, outputTokens: turn.completionTokens)
        if json["stream"]?.boolValue == true {
            return AnthropicWire.stream(id: id, model: model, text: turn.answer, toolUses: toolUses, usage: usage)
        }
        return AnthropicWire.message(id: id, model: model, text: turn.answer, toolUses: toolUses, usage: usage)
    }

    /// `POST .../messages/count_tokens`: `{"input_tokens": N}` with the echo model's prompt count.
    static func anthropicCountTokens(_ request: RecordedRequest) -> FakeResponse {
        switch anthropicConversation(request) {
        case .success(let parsed):
            let tokens = turn(messages: parsed.messages, firstToolName: nil).promptTokens
            return .json(body: JSONNode.object([("input_tokens", .int(tokens))]).serialized)
        case .failure(let failure):
            return failure.response
        }
    }

    /// A request that cannot be answered, with the Anthropic error to send.
    struct AnthropicRequestError: Error {
        var response: FakeResponse
    }

    /// Parses the body and flattens `system` + `messages` into echo messages.
    private static func anthropicConversation(
        _ request: RecordedRequest
    ) -> Result<(json: WireJSON, messages: [Message]), AnthropicRequestError> {
        guard let json = request.json, json.objectValue != nil else {
            return .failure(AnthropicRequestError(response: AnthropicWire.error(
                status: 400, type: "invalid_request_error", message: "The request body is not valid JSON.")))
        }
        guard let rawMessages = json["messages"]?.arrayValue else {
            return .failure(AnthropicRequestError(response: AnthropicWire.error(
                status: 400, type: "invalid_request_error", message: "messages: Field required")))
        }
        var messages: [Message] = []
        if let system = json["system"] {
            let text = blockText(system, includeToolResults: false)
            if !text.isEmpty {
                messages.append(Message(role: "system", text: text, countedText: text))
            }
        }
        for message in rawMessages {
            let content = message["content"]
            messages.append(Message(
                role: message["role"]?.stringValue ?? "",
                text: blockText(content, includeToolResults: false),
                countedText: blockText(content, includeToolResults: true)
            ))
        }
        return .success((json, messages))
    }

    /// Text of Anthropic content: a string, or the text blocks (and optionally the text of
    /// `tool_result` blocks) joined by spaces.
    private static func blockText(_ content: WireJSON?, includeToolResults: Bool) -> String {
        switch content {
        case .string(let text):
            return text
        case .array(let blocks):
            return blocks.compactMap { block -> String? in
                switch block["type"]?.stringValue {
                case "text":
                    return block["text"]?.stringValue
                case "tool_result" where includeToolResults:
                    return blockText(block["content"], includeToolResults: false)
                default:
                    return nil
                }
            }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
        default:
            return ""
        }
    }
}
