extension OpenAIWire {
    /// The SSE events of a streamed chat completion, in OpenAI's order:
    ///
    /// 1. a chunk whose delta is `{"role":"assistant","content":""}`;
    /// 2. `reasoning_content` deltas (when given), then `content` deltas, each at most
    ///    `chunkSize` characters;
    /// 3. tool-call fragments per call `index`: the first carries `id`, `type`, `function.name`
    ///    and the first piece of `function.arguments`; later ones only `index` and an arguments piece;
    /// 4. a chunk with an empty delta and `finish_reason`;
    /// 5. when `includeUsage` and `usage` is set, a chunk with `"choices":[]` and `usage`
    ///    (every other chunk then carries `"usage":null`, as OpenAI does);
    /// 6. `data: [DONE]`.
    ///
    /// Each element is one event block without the trailing blank line, ready for ``FakeResponse/sse(events:status:headers:interval:cutAfter:splitEvents:)``.
    public static func streamEvents(
        id: String = "chatcmpl-fake",
        model: String = "echo-1",
        content: String? = nil,
        reasoningContent: String? = nil,
        toolCalls: [ToolCall] = [],
        finishReason: String? = nil,
        usage: Usage? = defaultUsage,
        includeUsage: Bool = true,
        chunkSize: Int = 4,
        created: Int = defaultCreated
    ) -> [String] {
        let usageChunk = includeUsage ? usage : nil
        func chunk(_ delta: [(String, JSONNode)], finishReason: String? = nil) -> String {
            var members: [(String, JSONNode)] = [
                ("id", .string(id)),
                ("object", .string("chat.completion.chunk")),
                ("created", .int(created)),
                ("model", .string(model)),
                ("choices", .array([.object([
                    ("index", .int(0)),
                    ("delta", .object(delta)),
                    ("logprobs", .null),
                    ("finish_reason", .optionalString(finishReason)),
                ])])),
            ]
            if usageChunk != nil {
                members.append(("usage", .null))
            }
            return WireText.dataEvent(.object(members))
        }

        var events = [chunk([("role", .string("assistant")), ("content", .string(""))])]
        for piece in WireText.pieces(of: reasoningContent ?? "", size: chunkSize) {
            events.append(chunk([("reasoning_content", .string(piece))]))
        }
        for piece in WireText.pieces(of: content ?? "", size: chunkSize) {
            events.append(chunk([("content", .string(piece))]))
        }
        for (index, call) in toolCalls.enumerated() {
            var pieces = WireText.pieces(of: call.arguments, size: chunkSize)
            if pieces.isEmpty { pieces = [""] }
            let first: JSONNode = .object([
                ("index", .int(index)),
                ("id", .string(call.id)),
                ("type", .string("function")),
                ("function", .object([("name", .string(call.name)), ("arguments", .string(pieces[0]))])),
            ])
            events.append(chunk([("tool_calls", .array([first]))]))
            for piece in pieces.dropFirst() {
                let fragment: JSONNode = .object([
                    ("index", .int(index)),
                    ("function", .object([("arguments", .string(piece))])),
                ])
                events.append(chunk([("tool_calls", .array([fragment]))]))
            }
        }
        events.append(chunk([], finishReason: finishReason ?? defaultFinishReason(toolCalls)))
        if let usageChunk {
            events.append(WireText.dataEvent(.object([
                ("id", .string(id)),
                ("object", .string("chat.completion.chunk")),
                ("created", .int(created)),
                ("model", .string(model)),
                ("choices", .array([])),
                ("usage", usageChunk.node),
            ])))
        }
        events.append("data: [DONE]")
        return events
    }

    /// An SSE response playing ``streamEvents(id:model:content:reasoningContent:toolCalls:finishReason:usage:includeUsage:chunkSize:created:)``.
    public static func stream(
        id: String = "chatcmpl-fake",
        model: String = "echo-1",
        content: String? = nil,
        reasoningContent: String? = nil,
        toolCalls: [ToolCall] = [],
        finishReason: String? = nil,
        usage: Usage? = defaultUsage,
        includeUsage: Bool = true,
        chunkSize: Int = 4,
        created: Int = defaultCreated,
        status: Int = 200,
        headers: FakeHeaders = [],
        interval: Duration = .zero,
        cutAfter: Int? = nil,
        splitEvents: Bool = false
    ) -> FakeResponse {
        let events = streamEvents(
            id: id, model: model, content: content, reasoningContent: reasoningContent,
            toolCalls: toolCalls, finishReason: finishReason, usage: usage,
            includeUsage: includeUsage, chunkSize: chunkSize, created: created
        )
        return .sse(events: events, status: status, headers: headers, interval: interval,
                    cutAfter: cutAfter, splitEvents: splitEvents)
    }
}
