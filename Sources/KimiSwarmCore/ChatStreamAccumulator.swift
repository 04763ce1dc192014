/// Assembles streamed deltas into a `ChatResponse`.
///
/// A pure value type: providers feed it what they parse, and it joins text, reasoning and
/// tool-call argument fragments (by index, in index order).
public struct ChatStreamAccumulator: Sendable {
    private var content = ""
    private var reasoning = ""
    private var reasoningSignature: String?
    private var toolCalls: [Int: ToolCall] = [:]
    private var sawContent = false

    /// The completion id, once known.
    public var id: String?
    /// The model, once known.
    public var model: String?
    /// The finish reason, once known.
    public var finishReason: FinishReason?
    /// The usage, once known.
    public var usage: Usage?

    /// Creates an empty accumulator.
    public init() {}

    /// Takes one event into account. `finished` events are ignored.
    public mutating func apply(_ event: ChatStreamEvent) {
        switch event {
        case .contentDelta(let text):
            sawContent = true
            content += text
        case .reasoningDelta(let text):
            reasoning += text
        case .toolCallDelta(let delta):
            var call = toolCalls[delta.index] ?? ToolCall(id: "", name: "", arguments: "")
            if let id = delta.id, !id.isEmpty { call.id = id }
            if let name = delta.name, !name.isEmpty { call.name = name }
            call.arguments += delta.argumentsFragment
            toolCalls[delta.index] = call
        case .usage(let usage):
            self.usage = usage
        case .finished:
            break
        }
    }

    /// Appends to the signature of the reasoning (Anthropic `signature_delta`).
    public mutating func appendReasoningSignature(_ fragment: String) {
        reasoningSignature = (reasoningSignature ?? "") + fragment
    }

    /// `true` once any text, reasoning or tool call has arrived.
    public var hasOutput: Bool { sawContent || !reasoning.isEmpty || !toolCalls.isEmpty }

    /// The assembled tool calls, in index order.
    public var assembledToolCalls: [ToolCall] {
        toolCalls.sorted { $0.key < $1.key }.map { index, call in
            var call = call
            if call.id.isEmpty { call.id = "call_\(index)" }
            return call
        }
    }

    /// The response assembled so far.
    public func response(provider: ProviderID, fallbackModel: String) -> ChatResponse {
        let calls = assembledToolCalls
        let text: MessageContent? = (content.isEmpty && !calls.isEmpty) ? nil : .text(content)
        let message = ChatMessage(
            role: .assistant,
            content: text,
            toolCalls: calls,
            reasoningContent: reasoning.isEmpty ? nil : reasoning,
            reasoningSignature: reasoningSignature)
        return ChatResponse(
            id: id ?? "",
            model: model ?? fallbackModel,
            provider: provider,
            message: message,
            finishReason: finishReason ?? (calls.isEmpty ? nil : .toolCalls),
            usage: usage ?? .zero)
    }
}
