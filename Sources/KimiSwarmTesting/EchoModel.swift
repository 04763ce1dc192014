/// The deterministic default behaviour of the server when no scripted response is queued.
///
/// It answers `"Echo: <text of the last user message>"`, counts prompt tokens as the words of all
/// message texts plus 4 per message (an Anthropic top-level `system` counts as one message) and
/// completion tokens as the words of the answer. When tools are offered and the last message is a
/// user message whose text contains "use tool" (case-insensitive), it calls the first tool with
/// arguments `{"echo":"<text>"}` instead. Routes are matched on the path suffix, so any prefix
/// works (`/v1/chat/completions`, `/openai/deployments/X/chat/completions?api-version=...`).
enum EchoModel {
    /// Model ids listed by `GET .../models`.
    static let modelIDs = ["echo-1", "echo-embed"]

    /// One message reduced to what the echo model needs.
    struct Message {
        /// `"system"`, `"user"`, `"assistant"`, `"tool"`...
        var role: String
        /// The message's own text parts, used for the echo.
        var text: String
        /// All text that counts towards prompt tokens (includes tool results).
        var countedText: String
    }

    /// What the echo model decided to answer.
    struct Turn {
        /// The text answer, when not calling a tool.
        var answer: String?
        /// The tool to call, when calling a tool.
        var toolName: String?
        /// JSON arguments of the tool call.
        var toolArguments: String
        var promptTokens: Int
        var completionTokens: Int
    }

    /// The response for `request`; `usage`, when given, replaces the counted usage of an OpenAI
    /// chat completion.
    static func response(for request: RecordedRequest, usage: OpenAIWire.Usage? = nil) -> FakeResponse {
        var path = request.path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        switch request.method.uppercased() {
        case "POST":
            if path.hasSuffix("/chat/completions") { return openAIChat(request, usage: usage) }
            if path.hasSuffix("/messages/count_tokens") { return anthropicCountTokens(request) }
            if path.hasSuffix("/messages") { return anthropicMessages(request) }
            if path.hasSuffix("/embeddings") { return embeddings(request) }
        case "GET":
            if path.hasSuffix("/models") { return models(request) }
            let components = path.split(separator: "/")
            if components.count >= 2, components[components.count - 2] == "models" {
                return model(id: String(components[components.count - 1]), request: request)
            }
        default:
            break
        }
        return OpenAIWire.error(
            status: 404,
            message: "Unknown request URL: \(request.method) \(request.path)",
            type: "invalid_request_error",
            code: "unknown_url"
        )
    }

    /// Decides the answer for a conversation.
    static func turn(messages: [Message], firstToolName: String?) -> Turn {
        let promptTokens = messages.reduce(0) { $0 + WireText.wordCount($1.countedText) + 4 }
        let lastUserText = messages.last { $0.role == "user" && !$0.text.isEmpty }?.text ?? ""
        if let firstToolName, let last = messages.last, last.role == "user",
           last.text.lowercased().contains("use tool") {
            let arguments = JSONNode.object([("echo", .string(last.text))]).serialized
            return Turn(answer: nil, toolName: firstToolName, toolArguments: arguments,
                        promptTokens: promptTokens, completionTokens: WireText.wordCount(arguments))
        }
        let answer = "Echo: " + lastUserText
        return Turn(answer: answer, toolName: nil, toolArguments: "",
                    promptTokens: promptTokens, completionTokens: WireText.wordCount(answer))
    }

    // MARK: - OpenAI chat completions

    private static func openAIChat(_ request: RecordedRequest, usage fixedUsage: OpenAIWire.Usage?) -> FakeResponse {
        guard let json = request.json, json.objectValue != nil else {
            return OpenAIWire.error(message: "We could not parse the JSON body of your request.")
        }
        guard let rawMessages = json["messages"]?.arrayValue else {
            return OpenAIWire.error(message: "Missing required parameter: 'messages'.",
                                    code: "missing_required_parameter", param: "messages")
        }
        let messages = rawMessages.map { message in
            let text = openAIText(message["content"])
            return Message(role: message["role"]?.stringValue ?? "", text: text, countedText: text)
        }
        let firstTool = json["tools"]?[0]
        let toolName = firstTool.map { $0["function"]?["name"]?.stringValue ?? $0["name"]?.stringValue ?? "tool" }
        let turn = turn(messages: messages, firstToolName: toolName)

        let id = "chatcmpl-echo-\(request.sequenceNumber)"
        let model = json["model"]?.stringValue ?? modelIDs[0]
        let toolCalls = turn.toolName.map {
            [OpenAIWire.ToolCall(id: "call_echo_\(request.sequenceNumber)", name: $0, arguments: turn.toolArguments)]
        } ?? []
        let usage = fixedUsage ?? OpenAIWire.Usage(promptTokens: turn.promptTokens, completionTokens: turn.completionTokens)
        if json["stream"]?.boolValue == true {
            let includeUsage = json["stream_options"]?["include_usage"]?.boolValue == true
            return OpenAIWire.stream(id: id, model: model, content: turn.answer, toolCalls: toolCalls,
                                     usage: usage, includeUsage: includeUsage)
        }
        return OpenAIWire.chatCompletion(id: id, model: model, content: turn.answer, toolCalls: toolCalls, usage: usage)
    }

    /// Text of an OpenAI `content`: a string, or the `text` of `{"type":"text"}` parts joined by spaces.
    private static func openAIText(_ content: WireJSON?) -> String {
        switch content {
        case .string(let text):
            return text
        case .array(let parts):
            return parts.compactMap { $0["type"]?.stringValue == "text" ? $0["text"]?.stringValue : nil }
                .joined(separator: " ")
        default:
            return ""
        }
    }

    // MARK: - Models

    private static func models(_ request: RecordedRequest) -> FakeResponse {
        if request.header("anthropic-version") != nil {
            return AnthropicWire.models(ids: modelIDs)
        }
        return OpenAIWire.models(ids: modelIDs)
    }

    private static func model(id: String, request: RecordedRequest) -> FakeResponse {
        let anthropic = request.header("anthropic-version") != nil
        guard modelIDs.contains(id) else {
            let message = "The model '\(id)' does not exist"
            return anthropic
                ? AnthropicWire.error(status: 404, type: "not_found_error", message: message)
                : OpenAIWire.error(status: 404, message: message, code: "model_not_found")
        }
        if anthropic {
            let body = JSONNode.object([
                ("type", .string("model")), ("id", .string(id)),
                ("display_name", .string(id)), ("created_at", .string("2025-01-01T00:00:00Z")),
            ])
            return .json(body: body.serialized)
        }
        return .json(body: OpenAIWire.modelBody(id: id))
    }
}
