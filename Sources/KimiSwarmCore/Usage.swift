/// Tokens used by one call, normalised across providers.
///
/// `promptTokens` counts every input token, including those read from or written to the
/// provider's prompt cache (Anthropic reports those separately; they are added back here).
/// `completionTokens` counts every output token, including reasoning tokens.
public struct Usage: Codable, Sendable, Hashable {
    /// All input tokens.
    public var promptTokens: Int
    /// Input tokens served from the provider's prompt cache (billed at the cached rate).
    public var cachedPromptTokens: Int
    /// Input tokens written to the provider's prompt cache (Anthropic `cache_creation_input_tokens`).
    public var cacheWriteTokens: Int
    /// All output tokens, reasoning included.
    public var completionTokens: Int
    /// Output tokens spent on reasoning (a part of `completionTokens`).
    public var reasoningTokens: Int

    /// Creates a usage record.
    public init(
        promptTokens: Int = 0,
        cachedPromptTokens: Int = 0,
        cacheWriteTokens: Int = 0,
        completionTokens: Int = 0,
        reasoningTokens: Int = 0
    ) {
        self.promptTokens = promptTokens
        self.cachedPromptTokens = cachedPromptTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.completionTokens = completionTokens
        self.reasoningTokens = reasoningTokens
    }

    /// No tokens.
    public static let zero = Usage()

    /// Input plus output tokens.
    public var totalTokens: Int { promptTokens + completionTokens }

    /// Input tokens billed at the full input rate.
    public var uncachedPromptTokens: Int { max(0, promptTokens - cachedPromptTokens - cacheWriteTokens) }

    /// The sum of two usage records.
    public static func + (lhs: Usage, rhs: Usage) -> Usage {
        Usage(
            promptTokens: lhs.promptTokens + rhs.promptTokens,
            cachedPromptTokens: lhs.cachedPromptTokens + rhs.cachedPromptTokens,
            cacheWriteTokens: lhs.cacheWriteTokens + rhs.cacheWriteTokens,
            completionTokens: lhs.completionTokens + rhs.completionTokens,
            reasoningTokens: lhs.reasoningTokens + rhs.reasoningTokens)
    }

    /// Adds another usage record to this one.
    public static func += (lhs: inout Usage, rhs: Usage) { lhs = lhs + rhs }
}
