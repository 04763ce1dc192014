/// One message of a conversation, in a provider-neutral form.
///
/// Providers translate it into their wire format: OpenAI-compatible `messages`, or
/// Anthropic's top-level `system` plus `user`/`assistant` turns with `tool_use` and
/// `tool_result` blocks.
public struct ChatMessage: Codable, Sendable, Hashable {
    /// Who speaks.
    public enum Role: String, Codable, Sendable, Hashable, CaseIterable {
        case system, user, assistant, tool
    }

    /// Who speaks.
    public var role: Role
    /// Text or parts (text and images). An assistant message that only calls tools may have none.
    public var content: MessageContent?
    /// Optional participant name (OpenAI `name`).
    public var name: String?
    /// Tool calls an assistant message made.
    public var toolCalls: [ToolCall]
    /// For `tool` messages: the id of the call this message answers.
    public var toolCallID: String?
    /// The model's reasoning (Kimi `reasoning_content`, Anthropic `thinking`).
    ///
    /// Kept on assistant messages and sent back on later turns that carry tool calls, which
    /// Kimi's thinking models require.
    public var reasoningContent: String?
    /// Anthropic's opaque signature of the thinking block, needed to send it back.
    public var reasoningSignature: String?

    /// Creates a message from its parts.
    public init(
        role: Role,
        content: MessageContent?,
        name: String? = nil,
        toolCalls: [ToolCall] = [],
        toolCallID: String? = nil,
        reasoningContent: String? = nil,
        reasoningSignature: String? = nil
    ) {
        self.role = role
        self.content = content
        self.name = name
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
        self.reasoningContent = reasoningContent
        self.reasoningSignature = reasoningSignature
    }

    /// A system instruction.
    public static func system(_ text: String) -> ChatMessage {
        ChatMessage(role: .system, content: .text(text))
    }

    /// A user message of plain text.
    public static func user(_ text: String) -> ChatMessage {
        ChatMessage(role: .user, content: .text(text))
    }

    /// A user message of text and image parts.
    public static func user(parts: [ContentPart]) -> ChatMessage {
        ChatMessage(role: .user, content: .parts(parts))
    }

    /// An assistant message, optionally with tool calls and reasoning.
    public static func assistant(
        _ text: String?,
        toolCalls: [ToolCall] = [],
        reasoning: String? = nil,
        reasoningSignature: String? = nil
    ) -> ChatMessage {
        ChatMessage(
            role: .assistant,
            content: text.map(MessageContent.text),
            toolCalls: toolCalls,
            reasoningContent: reasoning,
            reasoningSignature: reasoningSignature
        )
    }

    /// The result of a tool call, answering the call with id `callID`.
    public static func tool(callID: String, content: String, name: String? = nil) -> ChatMessage {
        ChatMessage(role: .tool, content: .text(content), name: name, toolCallID: callID)
    }

    /// All text of the message, parts joined; empty when there is none.
    public var text: String { content?.text ?? "" }

    private enum CodingKeys: String, CodingKey {
        case role, content, name, toolCalls, toolCallID, reasoningContent, reasoningSignature
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        role = try container.decode(Role.self, forKey: .role)
        content = try container.decodeIfPresent(MessageContent.self, forKey: .content)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        toolCalls = try container.decodeIfPresent([ToolCall].self, forKey: .toolCalls) ?? []
        toolCallID = try container.decodeIfPresent(String.self, forKey: .toolCallID)
        reasoningContent = try container.decodeIfPresent(String.self, forKey: .reasoningContent)
        reasoningSignature = try container.decodeIfPresent(String.self, forKey: .reasoningSignature)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(role, forKey: .role)
        try container.encodeIfPresent(content, forKey: .content)
        try container.encodeIfPresent(name, forKey: .name)
        if !toolCalls.isEmpty { try container.encode(toolCalls, forKey: .toolCalls) }
        try container.encodeIfPresent(toolCallID, forKey: .toolCallID)
        try container.encodeIfPresent(reasoningContent, forKey: .reasoningContent)
        try container.encodeIfPresent(reasoningSignature, forKey: .reasoningSignature)
    }
}

/// The content of a message: plain text, or a list of parts.
public enum MessageContent: Codable, Sendable, Hashable {
    /// Plain text.
    case text(String)
    /// Text and image parts, in order.
    case parts([ContentPart])

    /// The text of the content; text parts are joined with newlines, images are skipped.
    public var text: String {
        switch self {
        case .text(let text):
            return text
        case .parts(let parts):
            return parts.compactMap { part -> String? in
                if case .text(let text) = part { return text }
                return nil
            }.joined(separator: "\n")
        }
    }

    /// `true` when some part is an image.
    public var hasImages: Bool {
        if case .parts(let parts) = self {
            return parts.contains { if case .image = $0 { return true } else { return false } }
        }
        return false
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            self = .parts(try container.decode([ContentPart].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .parts(let parts): try container.encode(parts)
        }
    }
}

/// One part of a multi-part message.
public enum ContentPart: Codable, Sendable, Hashable {
    /// Text.
    case text(String)
    /// An image, by URL or `data:` URL.
    case image(ImageReference)

    private enum CodingKeys: String, CodingKey { case type, text, imageURL = "image_url" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "text":
            self = .text(try container.decode(String.self, forKey: .text))
        case "image_url", "image":
            self = .image(try container.decode(ImageReference.self, forKey: .imageURL))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container,
                debugDescription: "unknown content part type '\(type)'; expected 'text' or 'image_url'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .text(let text):
            try container.encode("text", forKey: .type)
            try container.encode(text, forKey: .text)
        case .image(let image):
            try container.encode("image_url", forKey: .type)
            try container.encode(image, forKey: .imageURL)
        }
    }
}

/// An image given by an `https:` URL or an inline `data:` URL (`data:image/png;base64,...`).
public struct ImageReference: Codable, Sendable, Hashable {
    /// How closely the model should look (OpenAI `detail`).
    public enum Detail: String, Codable, Sendable, Hashable { case auto, low, high }

    /// The URL; `data:` URLs carry the image inline.
    public var url: String
    /// Optional level of detail.
    public var detail: Detail?

    /// Creates a reference to an image.
    public init(url: String, detail: Detail? = nil) {
        self.url = url
        self.detail = detail
    }

    /// Creates an inline image from base64 data.
    public static func base64(_ data: String, mediaType: String) -> ImageReference {
        ImageReference(url: "data:\(mediaType);base64,\(data)")
    }

    /// For a `data:` URL: its media type and base64 payload.
    public var inlineData: (mediaType: String, base64: String)? {
        guard url.hasPrefix("data:"), let comma = url.firstIndex(of: ",") else { return nil }
        let header = url[url.index(url.startIndex, offsetBy: 5)..<comma]
        guard header.hasSuffix(";base64") else { return nil }
        let mediaType = String(header.dropLast(";base64".count))
        return (mediaType.isEmpty ? "application/octet-stream" : mediaType, String(url[url.index(after: comma)...]))
    }
}

/// A call of a tool by the model.
public struct ToolCall: Codable, Sendable, Hashable {
    /// The provider's id of the call, echoed back in the tool result.
    public var id: String
    /// The tool's name.
    public var name: String
    /// The arguments as JSON text, exactly as the model produced them.
    public var arguments: String

    /// Creates a tool call.
    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }

    /// The arguments parsed as JSON; an empty string counts as `{}`.
    public func parsedArguments() throws -> JSONValue {
        let trimmed = arguments.trimmingWhitespace()
        if trimmed.isEmpty { return .object([:]) }
        return try JSONValue(parsing: trimmed)
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars = scalars.dropFirst() }
        while let last = scalars.last, last.isWhitespace { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
