/// The name of a provider, as used on the command line and in configuration.
///
/// The built-in names are `moonshot`, `openai`, `together`, `openrouter`, `vllm`, `ollama`,
/// `azure` and `anthropic`; a configuration file may add more OpenAI-compatible ones.
public struct ProviderID: RawRepresentable, Codable, Sendable, Hashable, Comparable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// The name.
    public var rawValue: String

    /// Creates an id from a name.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Creates an id from a name.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public init(stringLiteral value: String) { self.rawValue = value }

    /// Moonshot AI (Kimi), OpenAI-compatible.
    public static let moonshot = ProviderID("moonshot")
    /// OpenAI.
    public static let openai = ProviderID("openai")
    /// Together AI, OpenAI-compatible.
    public static let together = ProviderID("together")
    /// OpenRouter, OpenAI-compatible.
    public static let openrouter = ProviderID("openrouter")
    /// A vLLM (or SGLang) server, OpenAI-compatible.
    public static let vllm = ProviderID("vllm")
    /// A local Ollama server, OpenAI-compatible under `/v1`.
    public static let ollama = ProviderID("ollama")
    /// Azure OpenAI (deployment URLs, `api-key` header).
    public static let azure = ProviderID("azure")
    /// Anthropic's Messages API.
    public static let anthropic = ProviderID("anthropic")

    /// The built-in providers, in the order they are listed to users.
    public static let builtIn: [ProviderID] = [.moonshot, .openai, .anthropic, .azure, .together, .openrouter, .vllm, .ollama]

    public var description: String { rawValue }

    public static func < (lhs: ProviderID, rhs: ProviderID) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
