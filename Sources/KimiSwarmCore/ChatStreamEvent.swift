/// One event of a streamed chat completion.
///
/// A stream yields deltas as they arrive, then `usage` when the provider reports it, and
/// always ends with `finished`, which carries the assembled response (text, reasoning, tool
/// calls and usage) so that a caller never has to reassemble fragments itself.
public enum ChatStreamEvent: Sendable, Hashable {
    /// A piece of the answer's text.
    case contentDelta(String)
    /// A piece of the model's reasoning.
    case reasoningDelta(String)
    /// A fragment of a tool call; fragments with the same `index` belong to one call.
    case toolCallDelta(ToolCallDelta)
    /// Token usage, reported once near the end.
    case usage(Usage)
    /// The stream's last event: the whole response.
    case finished(ChatResponse)
}

/// A fragment of a streamed tool call.
public struct ToolCallDelta: Sendable, Hashable {
    /// Which call of the turn this fragment belongs to (0, 1, ...).
    public var index: Int
    /// The call's id, on its first fragment.
    public var id: String?
    /// The tool's name, on its first fragment.
    public var name: String?
    /// A piece of the arguments' JSON text.
    public var argumentsFragment: String

    /// Creates a fragment.
    public init(index: Int, id: String? = nil, name: String? = nil, argumentsFragment: String = "") {
        self.index = index
        self.id = id
        self.name = name
        self.argumentsFragment = argumentsFragment
    }
}
