extension AnthropicWire {
    /// The SSE events of a streamed message, in Anthropic's order:
    ///
    /// `message_start` (usage with input and cache tokens, `output_tokens` 1), `ping`, then per
    /// content block (thinking, text, tool uses) `content_block_start`, several
    /// `content_block_delta` (`thinking_delta` then one `signature_delta`, `text_delta`, or
    /// `input_json_delta` with `partial_json` fragments, the first one empty), `content_block_stop`;
    /// then `message_delta` (`stop_reason`, `usage.output_tokens`) and `message_stop`.
    /// Text fragments are at most `chunkSize` characters. Every event's data carries its own `"type"`.
    public static func streamEvents(
        id: String = "msg_fake",
        model: String = "echo-1",
        text: String? = nil,
        thinking: String? = nil,
        thinkingSignature: String? = nil,
        toolUses: [ToolUse] = [],
        stopReason: String? = nil,
        usage: Usage = defaultUsage,
        chunkSize: Int = 4
    ) -> [String] {
        var events: [String] = []
        func emit(_ name: String, _ members: [(String, JSONNode)]) {
            events.append(WireText.namedEvent(name, .object([("type", .string(name))] + members)))
        }
        func delta(_ index: Int, _ delta: [(String, JSONNode)]) {
            emit("content_block_delta", [("index", .int(index)), ("delta", .object(delta))])
        }

        emit("message_start", [("message", .object([
            ("id", .string(id)),
            ("type", .string("message")),
            ("role", .string("assistant")),
            ("model", .string(model)),
            ("content", .array([])),
            ("stop_reason", .null),
            ("stop_sequence", .null),
            ("usage", usage.node(outputTokens: 1)),
        ]))])
        emit("ping", [])

        var index = 0
        if let thinking {
            emit("content_block_start", [("index", .int(index)), ("content_block", .object([
                ("type", .string("thinking")), ("thinking", .string("")), ("signature", .string("")),
            ]))])
            for piece in WireText.pieces(of: thinking, size: chunkSize) {
                delta(index, [("type", .string("thinking_delta")), ("thinking", .string(piece))])
            }
            if let thinkingSignature {
                delta(index, [("type", .string("signature_delta")), ("signature", .string(thinkingSignature))])
            }
            emit("content_block_stop", [("index", .int(index))])
            index += 1
        }
        if let text {
            emit("content_block_start", [("index", .int(index)), ("content_block", .object([
                ("type", .string("text")), ("text", .string("")),
            ]))])
            for piece in WireText.pieces(of: text, size: chunkSize) {
                delta(index, [("type", .string("text_delta")), ("text", .string(piece))])
            }
            emit("content_block_stop", [("index", .int(index))])
            index += 1
        }
        for use in toolUses {
            emit("content_block_start", [("index", .int(index)), ("content_block", .object([
                ("type", .string("tool_use")), ("id", .string(use.id)), ("name", .string(use.name)),
                ("input", .object([])),
            ]))])
            for piece in [""] + WireText.pieces(of: use.inputJSON, size: chunkSize) {
                delta(index, [("type", .string("input_json_delta")), ("partial_json", .string(piece))])
            }
            emit("content_block_stop", [("index", .int(index))])
            index += 1
        }

        emit("message_delta", [
            ("delta", .object([
                ("stop_reason", .string(stopReason ?? defaultStopReason(toolUses))),
                ("stop_sequence", .null),
            ])),
            ("usage", .object([("output_tokens", .int(usage.outputTokens))])),
        ])
        emit("message_stop", [])
        return events
    }

    /// An SSE response playing ``streamEvents(id:model:text:thinking:thinkingSignature:toolUses:stopReason:usage:chunkSize:)``.
    public static func stream(
        id: String = "msg_fake",
        model: String = "echo-1",
        text: String? = nil,
        thinking: String? = nil,
        thinkingSignature: String? = nil,
        toolUses: [ToolUse] = [],
        stopReason: String? = nil,
        usage: Usage = defaultUsage,
        chunkSize: Int = 4,
        status: Int = 200,
        headers: FakeHeaders = [],
        interval: Duration = .zero,
        cutAfter: Int? = nil,
        splitEvents: Bool = false
    ) -> FakeResponse {
        let events = streamEvents(
            id: id, model: model, text: text, thinking: thinking, thinkingSignature: thinkingSignature,
            toolUses: toolUses, stopReason: stopReason, usage: usage, chunkSize: chunkSize
        )
        return .sse(events: events, status: status, headers: headers, interval: interval,
                    cutAfter: cutAfter, splitEvents: splitEvents)
    }
}
