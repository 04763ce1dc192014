/// Builders for Anthropic Messages wire bodies and SSE events (exact field names and shapes).
///
/// Bodies are compact JSON with members in Anthropic's order; strings are escaped per RFC 8259.
public enum AnthropicWire {
    /// A `tool_use` content block.
    public struct ToolUse: Sendable, Hashable {
        /// The block id, e.g. `"toolu_abc"`.
        public var id: String
        /// The tool name.
        public var name: String
        /// The tool input as JSON text. Embedded verbatim as `input` in non-streamed messages
        /// (an empty text becomes `{}`) and streamed as `input_json_delta` fragments.
        public var inputJSON: String

        /// Creates a tool-use block.
        public init(id: String, name: String, inputJSON: String) {
            self.id = id
            self.name = name
            self.inputJSON = inputJSON
        }
    }

    /// Token usage of a message.
    public struct Usage: Sendable, Hashable {
        /// `input_tokens`.
        public var inputTokens: Int
        /// `output_tokens`.
        public var outputTokens: Int
        /// `cache_creation_input_tokens`.
        public var cacheCreationInputTokens: Int
        /// `cache_read_input_tokens`.
        public var cacheReadInputTokens: Int

        /// Creates a usage value.
        public init(inputTokens: Int, outputTokens: Int, cacheCreationInputTokens: Int = 0, cacheReadInputTokens: Int = 0) {
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
            self.cacheCreationInputTokens = cacheCreationInputTokens
            self.cacheReadInputTokens = cacheReadInputTokens
        }

        func node(outputTokens: Int) -> JSONNode {
            .object([
                ("input_tokens", .int(inputTokens)),
                ("cache_creation_input_tokens", .int(cacheCreationInputTokens)),
                ("cache_read_input_tokens", .int(cacheReadInputTokens)),
                ("output_tokens", .int(outputTokens)),
            ])
        }
    }

    /// Usage used by the builders when none is given.
    public static let defaultUsage = Usage(inputTokens: 10, outputTokens: 5)

    // MARK: - Message (JSON)

    /// The JSON body of a non-streamed `POST /v1/messages` response.
    ///
    /// Content blocks appear in the order thinking (`signature` is `""` when not given), text,
    /// tool uses; `stopReason` defaults to `"tool_use"` when there are tool uses, else `"end_turn"`.
    public static func messageBody(
        id: String = "msg_fake",
        model: String = "echo-1",
        text: String? = nil,
        thinking: String? = nil,
        thinkingSignature: String? = nil,
        toolUses: [ToolUse] = [],
        stopReason: String? = nil,
        usage: Usage = defaultUsage
    ) -> String {
        var content: [JSONNode] = []
        if let thinking {
            content.append(.object([
                ("type", .string("thinking")),
                ("thinking", .string(thinking)),
                ("signature", .string(thinkingSignature ?? "")),
            ]))
        }
        if let text {
            content.append(.object([("type", .string("text")), ("text", .string(text))]))
        }
        for use in toolUses {
            let input = WireText.trimmed(use.inputJSON)
            content.append(.object([
                ("type", .string("tool_use")),
                ("id", .string(use.id)),
                ("name", .string(use.name)),
                ("input", .raw(input.isEmpty ? "{}" : input)),
            ]))
        }
        return JSONNode.object([
            ("id", .string(id)),
            ("type", .string("message")),
            ("role", .string("assistant")),
            ("model", .string(model)),
            ("content", .array(content)),
            ("stop_reason", .string(stopReason ?? defaultStopReason(toolUses))),
            ("stop_sequence", .null),
            ("usage", usage.node(outputTokens: usage.outputTokens)),
        ]).serialized
    }

    /// A `200` (or `status`) JSON response carrying ``messageBody(id:model:text:thinking:thinkingSignature:toolUses:stopReason:usage:)``.
    public static func message(
        id: String = "msg_fake",
        model: String = "echo-1",
        text: String? = nil,
        thinking: String? = nil,
        thinkingSignature: String? = nil,
        toolUses: [ToolUse] = [],
        stopReason: String? = nil,
        usage: Usage = defaultUsage,
        status: Int = 200,
        headers: FakeHeaders = []
    ) -> FakeResponse {
        let body = messageBody(
            id: id, model: model, text: text, thinking: thinking, thinkingSignature: thinkingSignature,
            toolUses: toolUses, stopReason: stopReason, usage: usage
        )
        return .json(status: status, body: body, headers: headers)
    }

    static func defaultStopReason(_ toolUses: [ToolUse]) -> String {
        toolUses.isEmpty ? "end_turn" : "tool_use"
    }

    // MARK: - Errors and models

    /// `{"type":"error","error":{"type","message"}}`.
    public static func errorBody(type: String, message: String) -> String {
        errorNode(type: type, message: message).serialized
    }

    /// An error response in Anthropic's shape, e.g. `error(status: 529, type: "overloaded_error", message: "Overloaded")`.
    public static func error(status: Int, type: String, message: String, headers: FakeHeaders = []) -> FakeResponse {
        .json(status: status, body: errorBody(type: type, message: message), headers: headers)
    }

    /// An in-stream error event: `event: error` + `data: {"type":"error","error":{...}}`.
    public static func errorEvent(type: String = "overloaded_error", message: String = "Overloaded") -> String {
        WireText.namedEvent("error", errorNode(type: type, message: message))
    }

    private static func errorNode(type: String, message: String) -> JSONNode {
        .object([
            ("type", .string("error")),
            ("error", .object([("type", .string(type)), ("message", .string(message))])),
        ])
    }

    /// `GET /v1/models` response:
    /// `{"data":[{"type":"model","id","display_name","created_at"}],"has_more":false,"first_id","last_id"}`.
    public static func models(
        ids: [String], createdAt: String = "2025-01-01T00:00:00Z", headers: FakeHeaders = []
    ) -> FakeResponse {
        let data: [JSONNode] = ids.map { id in
            .object([
                ("type", .string("model")),
                ("id", .string(id)),
                ("display_name", .string(id)),
                ("created_at", .string(createdAt)),
            ])
        }
        let body = JSONNode.object([
            ("data", .array(data)),
            ("has_more", .bool(false)),
            ("first_id", .optionalString(ids.first)),
            ("last_id", .optionalString(ids.last)),
        ])
        return .json(body: body.serialized, headers: headers)
    }
}
