public import Foundation

/// A finished chat completion, in a provider-neutral form.
public struct ChatResponse: Codable, Sendable, Hashable {
    /// The provider's id of the completion.
    public var id: String
    /// The model that answered, as the provider names it.
    public var model: String
    /// The provider that answered.
    public var provider: ProviderID
    /// The assistant's message: text, tool calls and reasoning.
    public var message: ChatMessage
    /// Why generation stopped.
    public var finishReason: FinishReason?
    /// Tokens used.
    public var usage: Usage
    /// When the provider created the completion.
    public var created: Date?

    /// Creates a response.
    public init(
        id: String,
        model: String,
        provider: ProviderID,
        message: ChatMessage,
        finishReason: FinishReason?,
        usage: Usage,
        created: Date? = nil
    ) {
        self.id = id
        self.model = model
        self.provider = provider
        self.message = message
        self.finishReason = finishReason
        self.usage = usage
        self.created = created
    }

    /// The text of the answer; empty when the model only called tools.
    public var text: String { message.text }

    /// The tool calls of the answer.
    public var toolCalls: [ToolCall] { message.toolCalls }
}

/// Why the model stopped, normalised across providers.
public struct FinishReason: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
    /// The normalised name (`stop`, `length`, `tool_calls`, `content_filter`, or the provider's own).
    public var rawValue: String

    /// Creates a finish reason from a name.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Natural end or a stop sequence (Anthropic `end_turn`, `stop_sequence`).
    public static let stop = FinishReason(rawValue: "stop")
    /// The token limit was reached (Anthropic `max_tokens`).
    public static let length = FinishReason(rawValue: "length")
    /// The model called tools (Anthropic `tool_use`).
    public static let toolCalls = FinishReason(rawValue: "tool_calls")
    /// Output was withheld by a content filter (Anthropic `refusal`).
    public static let contentFilter = FinishReason(rawValue: "content_filter")

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A model a provider offers, as its model list reports it.
public struct ProviderModel: Codable, Sendable, Hashable {
    /// The model id to put in requests.
    public var id: String
    /// The provider that lists it.
    public var provider: ProviderID
    /// The owner the provider reports.
    public var ownedBy: String?
    /// A human-readable name, where given.
    public var displayName: String?
    /// When the model was created, where given.
    public var created: Date?

    /// Creates a model entry.
    public init(id: String, provider: ProviderID, ownedBy: String? = nil, displayName: String? = nil, created: Date? = nil) {
        self.id = id
        self.provider = provider
        self.ownedBy = ownedBy
        self.displayName = displayName
        self.created = created
    }
}
