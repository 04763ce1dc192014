import Foundation
import KimiSwarmCore
import KimiSwarmPlatform

/// A `POST /v1/chat/completions` body in OpenAI's wire format, read into Core's
/// ``ChatRequest`` plus what only the gateway cares about (`stream`, `include_usage`).
///
/// Fields OpenAI accepts but the gateway does not use (`logprobs`, `metadata`, `store`,
/// `service_tier`, ...) are ignored. Fields that would let a body choose where calls and
/// credentials go (`base_url`, `api_key`, `provider`, `extra_body`, `options`, ...) are
/// refused: the server alone decides that. Nothing of the body reaches a provider unread.
struct GatewayChatRequest: Sendable {
    /// The request for the client.
    var chat: ChatRequest
    /// `stream: true`: answer with server-sent events.
    var stream: Bool
    /// `stream_options.include_usage`: send a last chunk with usage.
    var includeUsage: Bool

    /// Top-level fields that name a destination or credentials, refused outright.
    static let refusedFields: Set<String> = [
        "base_url", "api_base", "api_key", "provider", "providers", "extra_body", "extra_headers", "options", "endpoint",
        "deployment", "api_version",
    ]

    /// `temperature`: 0 to 2, as OpenAI's API takes it.
    static let temperatureRange: ClosedRange<Double> = 0...2
    /// `max_tokens` and `max_completion_tokens`: 1 to 1,048,576 (no model answers more).
    static let maxTokensRange: ClosedRange<Int> = 1...1_048_576
    /// The most tools one request may offer (OpenAI's limit).
    static let maxTools = 128
    /// The most messages one request may carry.
    static let maxMessages = 10_000

    /// Parses and checks a body. (``GatewayService`` scopes the response cache to the caller's
    /// tenant and asks the provider for usage.)
    init(json: JSONValue) throws {
        guard let object = json.objectValue else { throw APIError.invalidRequest("the body must be a JSON object", hint: "Send `{...}`.") }
        if let refused = object.keys.sorted().first(where: { Self.refusedFields.contains($0) }) {
            throw APIError.invalidRequest(
                "`\(refused)` cannot be set by a request: the server decides which provider and credentials are used",
                hint: "Remove `\(refused)`; pick a model with `model`.", param: refused)
        }
        guard let rawMessages = object["messages"] else {
            throw APIError.invalidRequest("the field `messages` is required", hint: "Send at least one message.", param: "messages")
        }
        guard let list = rawMessages.arrayValue, !list.isEmpty else {
            throw APIError.invalidRequest("`messages` must be a non-empty array", hint: "Send at least one message.", param: "messages")
        }
        guard list.count <= Self.maxMessages else {
            throw APIError.invalidRequest("`messages` has \(list.count) entries; at most \(Self.maxMessages) are allowed", param: "messages")
        }
        let messages = try list.enumerated().map { try Self.message($1, at: $0) }
        var request = ChatRequest(messages: messages)
        request.model = try Self.string(object, "model", maxBytes: 256)
        request.temperature = try Self.number(object, "temperature", in: Self.temperatureRange)
        request.topP = try Self.number(object, "top_p", in: 0...1)
        // Both are checked when both are sent; `max_completion_tokens` wins.
        let maxTokens = try Self.integer(object, "max_tokens", in: Self.maxTokensRange)
        request.maxTokens = try Self.integer(object, "max_completion_tokens", in: Self.maxTokensRange) ?? maxTokens
        request.presencePenalty = try Self.number(object, "presence_penalty", in: -2...2)
        request.frequencyPenalty = try Self.number(object, "frequency_penalty", in: -2...2)
        request.seed = try Self.integer(object, "seed", in: Int.min...Int.max)
        request.user = try Self.string(object, "user", maxBytes: 256)
        request.reasoningEffort = try Self.string(object, "reasoning_effort")
        request.parallelToolCalls = try Self.bool(object, "parallel_tool_calls")
        if let n = try Self.integer(object, "n", in: Int.min...Int.max), n != 1 {
            throw APIError.invalidRequest("only `n: 1` is supported", hint: "Send one request per completion.", param: "n")
        }
        switch object["stop"] {
        case nil, .null?: break
        case .string(let text)?: request.stop = [text]
        case .array(let items)?:
            request.stop = try items.map { item in
                guard let text = item.stringValue else { throw APIError.invalidRequest("`stop` must hold strings", param: "stop") }
                return text
            }
        default: throw APIError.invalidRequest("`stop` must be a string or an array of strings", param: "stop")
        }
        if request.stop.count > 4 || request.stop.contains(where: { $0.isEmpty || $0.utf8.count > 256 }) {
            throw APIError.invalidRequest("`stop` takes 1 to 4 non-empty strings of at most 256 bytes", param: "stop")
        }
        let tools = try Self.array(object, "tools")
        guard tools.count <= Self.maxTools else {
            throw APIError.invalidRequest("`tools` has \(tools.count) entries; at most \(Self.maxTools) are allowed", param: "tools")
        }
        request.tools = try tools.enumerated().map { try Self.tool($1, at: $0) }
        request.toolChoice = try Self.decoded(ToolChoice.self, object["tool_choice"], param: "tool_choice")
        request.responseFormat = try Self.responseFormat(object["response_format"])
        request.thinking = try Self.decoded(ThinkingMode.self, object["thinking"], param: "thinking")
        chat = request
        stream = try Self.bool(object, "stream") ?? false
        switch object["stream_options"] {
        case nil, .null?: includeUsage = false
        case .object(let options)?: includeUsage = try Self.bool(options, "include_usage") ?? false
        default: throw APIError.invalidRequest("`stream_options` must be an object", param: "stream_options")
        }
    }

    private static func message(_ value: JSONValue, at index: Int) throws -> ChatMessage {
        let param = "messages[\(index)]"
        guard let object = value.objectValue, let roleText = object["role"]?.stringValue else {
            throw APIError.invalidRequest("`\(param)` must be an object with a `role`", param: param)
        }
        let role: ChatMessage.Role
        switch roleText {
        case "system", "developer": role = .system
        case "user": role = .user
        case "assistant": role = .assistant
        case "tool": role = .tool
        default:
            throw APIError.invalidRequest(
                "`\(param).role` must be system, developer, user, assistant or tool", param: "\(param).role")
        }
        var message = ChatMessage(role: role, content: nil)
        if let content = object["content"], !content.isNull {
            message.content = try decoded(MessageContent.self, content, param: "\(param).content")
        } else if role != .assistant {
            throw APIError.invalidRequest("`\(param).content` is required for \(roleText) messages", param: "\(param).content")
        }
        message.name = object["name"]?.stringValue
        message.toolCallID = object["tool_call_id"]?.stringValue
        message.reasoningContent = object["reasoning_content"]?.stringValue
        if role == .tool, message.toolCallID?.isEmpty ?? true {
            throw APIError.invalidRequest("`\(param).tool_call_id` is required for tool messages", param: "\(param).tool_call_id")
        }
        for (callIndex, call) in try array(object, "tool_calls", param: "\(param).tool_calls").enumerated() {
            let callParam = "\(param).tool_calls[\(callIndex)]"
            guard let id = call["id"]?.stringValue, let function = call["function"], let name = function["name"]?.stringValue else {
                throw APIError.invalidRequest("`\(callParam)` needs `id` and `function.name`", param: callParam)
            }
            message.toolCalls.append(ToolCall(id: id, name: name, arguments: function["arguments"]?.stringValue ?? "{}"))
        }
        return message
    }

    private static func tool(_ value: JSONValue, at index: Int) throws -> ToolDefinition {
        let param = "tools[\(index)]"
        let type = value["type"]?.stringValue ?? "function"
        guard type == "function", let function = value["function"], let name = function["name"]?.stringValue, !name.isEmpty else {
            throw APIError.invalidRequest("`\(param)` must be `{\"type\": \"function\", \"function\": {\"name\", ...}}`", param: param)
        }
        guard name.count <= 64, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw APIError.invalidRequest("`\(param).function.name` must match ^[a-zA-Z0-9_-]{1,64}$", param: "\(param).function.name")
        }
        return ToolDefinition(
            name: name, description: function["description"]?.stringValue,
            parameters: function["parameters"] ?? ["type": "object", "properties": [:]], strict: function["strict"]?.boolValue)
    }

    private static func responseFormat(_ value: JSONValue?) throws -> ResponseFormat? {
        guard let value, !value.isNull else { return nil }
        switch value["type"]?.stringValue {
        case "text": return .text
        case "json_object": return .jsonObject
        case "json_schema":
            guard let schema = value["json_schema"], let name = schema["name"]?.stringValue else {
                throw APIError.invalidRequest("`response_format.json_schema` needs `name` and `schema`", param: "response_format")
            }
            return .jsonSchema(name: name, schema: schema["schema"] ?? [:], strict: schema["strict"]?.boolValue ?? false)
        default:
            throw APIError.invalidRequest("`response_format.type` must be text, json_object or json_schema", param: "response_format")
        }
    }

    private static func decoded<T: Decodable>(_ type: T.Type, _ value: JSONValue?, param: String) throws -> T? {
        guard let value, !value.isNull else { return nil }
        do {
            return try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
        } catch {
            throw APIError.invalidRequest("`\(param)` is invalid", hint: "See OpenAI's chat completions reference.", param: param)
        }
    }

    static func string(_ object: [String: JSONValue], _ key: String, maxBytes: Int = .max) throws -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw APIError.invalidRequest("`\(key)` must be a string", param: key) }
        guard text.utf8.count <= maxBytes else { throw APIError.invalidRequest("`\(key)` is longer than \(maxBytes) bytes", param: key) }
        return text
    }

    /// A number within `range` (400 naming the field and the range otherwise).
    static func number(_ object: [String: JSONValue], _ key: String, in range: ClosedRange<Double>) throws -> Double? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let number = value.doubleValue else { throw APIError.invalidRequest("`\(key)` must be a number", param: key) }
        guard number.isFinite, range.contains(number) else {
            throw APIError.invalidRequest(
                "`\(key)` must be between \(range.lowerBound.formatted()) and \(range.upperBound.formatted())", param: key)
        }
        return number
    }

    /// An integer within `range` (400 naming the field and the range otherwise).
    static func integer(_ object: [String: JSONValue], _ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let number = value.intValue else { throw APIError.invalidRequest("`\(key)` must be an integer", param: key) }
        guard range.contains(number) else {
            throw APIError.invalidRequest("`\(key)` must be \(range.lowerBound) to \(range.upperBound)", param: key)
        }
        return number
    }

    /// An array, or none for an absent or null field (400 naming the field for another type).
    static func array(_ object: [String: JSONValue], _ key: String, param: String? = nil) throws -> [JSONValue] {
        switch object[key] {
        case nil, .null?: return []
        case .array(let items)?: return items
        default: throw APIError.invalidRequest("`\(param ?? key)` must be an array", param: param ?? key)
        }
    }

    private static func bool(_ object: [String: JSONValue], _ key: String) throws -> Bool? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let flag = value.boolValue else { throw APIError.invalidRequest("`\(key)` must be true or false", param: key) }
        return flag
    }
}
