import Foundation

/// Builders for OpenAI chat-completions wire bodies and SSE events (exact field names and shapes).
///
/// Bodies are compact JSON with members in OpenAI's order; strings are escaped per RFC 8259.
public enum OpenAIWire {
    /// The `created` timestamp used by default, so bodies are deterministic.
    public static let defaultCreated = 1_700_000_000

    /// A function tool call of an assistant message.
    public struct ToolCall: Sendable, Hashable {
        /// The call id, e.g. `"call_abc"`.
        public var id: String
        /// The function name.
        public var name: String
        /// The JSON-encoded arguments text, sent verbatim (it may be invalid JSON on purpose).
        public var arguments: String

        /// Creates a tool call.
        public init(id: String, name: String, arguments: String) {
            self.id = id
            self.name = name
            self.arguments = arguments
        }
    }

    /// Token usage; `total_tokens` is the sum of prompt and completion tokens.
    public struct Usage: Sendable, Hashable {
        /// `prompt_tokens`.
        public var promptTokens: Int
        /// `completion_tokens`.
        public var completionTokens: Int
        /// `prompt_tokens_details.cached_tokens`.
        public var cachedTokens: Int
        /// `completion_tokens_details.reasoning_tokens`.
        public var reasoningTokens: Int

        /// Creates a usage value.
        public init(promptTokens: Int, completionTokens: Int, cachedTokens: Int = 0, reasoningTokens: Int = 0) {
            self.promptTokens = promptTokens
            self.completionTokens = completionTokens
            self.cachedTokens = cachedTokens
            self.reasoningTokens = reasoningTokens
        }

        /// `total_tokens`.
        public var totalTokens: Int { promptTokens + completionTokens }

        var node: JSONNode {
            .object([
                ("prompt_tokens", .int(promptTokens)),
                ("completion_tokens", .int(completionTokens)),
                ("total_tokens", .int(totalTokens)),
                ("prompt_tokens_details", .object([("cached_tokens", .int(cachedTokens))])),
                ("completion_tokens_details", .object([("reasoning_tokens", .int(reasoningTokens))])),
            ])
        }
    }

    /// Usage used by the builders when none is given.
    public static let defaultUsage = Usage(promptTokens: 10, completionTokens: 5)

    // MARK: - Chat completion (JSON)

    /// The JSON body of a non-streamed `POST /chat/completions` response.
    ///
    /// `content` is `null` when absent; `reasoning_content` and `tool_calls` appear only when given;
    /// `finishReason` defaults to `"tool_calls"` when there are tool calls, else `"stop"`;
    /// `usage` is omitted when `nil`.
    public static func chatCompletionBody(
        id: String = "chatcmpl-fake",
        model: String = "echo-1",
        content: String? = nil,
        reasoningContent: String? = nil,
        toolCalls: [ToolCall] = [],
        finishReason: String? = nil,
        usage: Usage? = defaultUsage,
        created: Int = defaultCreated
    ) -> String {
        var message: [(String, JSONNode)] = [("role", .string("assistant")), ("content", .optionalString(content))]
        if let reasoningContent {
            message.append(("reasoning_content", .string(reasoningContent)))
        }
        if !toolCalls.isEmpty {
            message.append(("tool_calls", .array(toolCalls.map { call in
                .object([
                    ("id", .string(call.id)),
                    ("type", .string("function")),
                    ("function", .object([("name", .string(call.name)), ("arguments", .string(call.arguments))])),
                ])
            })))
        }
        let choice: JSONNode = .object([
            ("index", .int(0)),
            ("message", .object(message)),
            ("logprobs", .null),
            ("finish_reason", .string(finishReason ?? defaultFinishReason(toolCalls))),
        ])
        var body: [(String, JSONNode)] = [
            ("id", .string(id)),
            ("object", .string("chat.completion")),
            ("created", .int(created)),
            ("model", .string(model)),
            ("choices", .array([choice])),
        ]
        if let usage {
            body.append(("usage", usage.node))
        }
        return JSONNode.object(body).serialized
    }

    /// A `200` (or `status`) JSON response carrying ``chatCompletionBody(id:model:content:reasoningContent:toolCalls:finishReason:usage:created:)``.
    public static func chatCompletion(
        id: String = "chatcmpl-fake",
        model: String = "echo-1",
        content: String? = nil,
        reasoningContent: String? = nil,
        toolCalls: [ToolCall] = [],
        finishReason: String? = nil,
        usage: Usage? = defaultUsage,
        created: Int = defaultCreated,
        status: Int = 200,
        headers: FakeHeaders = []
    ) -> FakeResponse {
        let body = chatCompletionBody(
            id: id, model: model, content: content, reasoningContent: reasoningContent,
            toolCalls: toolCalls, finishReason: finishReason, usage: usage, created: created
        )
        return .json(status: status, body: body, headers: headers)
    }

    static func defaultFinishReason(_ toolCalls: [ToolCall]) -> String {
        toolCalls.isEmpty ? "stop" : "tool_calls"
    }

    // MARK: - Errors, models, embeddings

    /// `{"error":{"message","type","param","code"}}`.
    public static func errorBody(
        message: String, type: String = "invalid_request_error", code: String? = nil, param: String? = nil
    ) -> String {
        JSONNode.object([
            ("error", .object([
                ("message", .string(message)),
                ("type", .string(type)),
                ("param", .optionalString(param)),
                ("code", .optionalString(code)),
            ])),
        ]).serialized
    }

    /// An error response in OpenAI's shape (e.g. `status: 429, headers: ["retry-after": "1"]`).
    public static func error(
        status: Int = 400,
        message: String,
        type: String = "invalid_request_error",
        code: String? = nil,
        param: String? = nil,
        headers: FakeHeaders = []
    ) -> FakeResponse {
        .json(status: status, body: errorBody(message: message, type: type, code: code, param: param), headers: headers)
    }

    /// One `{"id","object":"model","created","owned_by"}` object.
    public static func modelBody(id: String, ownedBy: String = "kimiswarm-fake", created: Int = defaultCreated) -> String {
        modelNode(id: id, ownedBy: ownedBy, created: created).serialized
    }

    /// `GET /models` response: `{"object":"list","data":[{"id","object":"model","created","owned_by"}]}`.
    public static func models(
        ids: [String], ownedBy: String = "kimiswarm-fake", created: Int = defaultCreated, headers: FakeHeaders = []
    ) -> FakeResponse {
        let body = JSONNode.object([
            ("object", .string("list")),
            ("data", .array(ids.map { modelNode(id: $0, ownedBy: ownedBy, created: created) })),
        ])
        return .json(body: body.serialized, headers: headers)
    }

    private static func modelNode(id: String, ownedBy: String, created: Int) -> JSONNode {
        .object([("id", .string(id)), ("object", .string("model")), ("created", .int(created)), ("owned_by", .string(ownedBy))])
    }

    /// `POST /embeddings` response body: one `{"object":"embedding","index","embedding"}` per vector,
    /// as a float array or, with `base64`, as base64 of little-endian float32 values.
    public static func embeddingsBody(
        model: String = "echo-embed", vectors: [[Double]], promptTokens: Int = 0, base64: Bool = false
    ) -> String {
        let data: [JSONNode] = vectors.enumerated().map { index, vector in
            let embedding: JSONNode = base64 ? .string(base64Floats(vector)) : .array(vector.map(JSONNode.double))
            return .object([("object", .string("embedding")), ("index", .int(index)), ("embedding", embedding)])
        }
        return JSONNode.object([
            ("object", .string("list")),
            ("data", .array(data)),
            ("model", .string(model)),
            ("usage", .object([("prompt_tokens", .int(promptTokens)), ("total_tokens", .int(promptTokens))])),
        ]).serialized
    }

    /// A JSON response carrying ``embeddingsBody(model:vectors:promptTokens:base64:)``.
    public static func embeddings(
        model: String = "echo-embed",
        vectors: [[Double]],
        promptTokens: Int = 0,
        base64: Bool = false,
        headers: FakeHeaders = []
    ) -> FakeResponse {
        .json(body: embeddingsBody(model: model, vectors: vectors, promptTokens: promptTokens, base64: base64),
              headers: headers)
    }

    private static func base64Floats(_ vector: [Double]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(vector.count * 4)
        for value in vector {
            let bits = Float(value).bitPattern.littleEndian
            withUnsafeBytes(of: bits) { bytes.append(contentsOf: $0) }
        }
        return Data(bytes).base64EncodedString()
    }
}
