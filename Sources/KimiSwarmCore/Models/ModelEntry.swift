public import Foundation

/// What the registry knows about one model of one provider.
public struct ModelEntry: Sendable, Hashable, Codable {
    /// Chat model or embedding model.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case chat, embedding
    }

    /// The model id sent to the provider.
    public var id: String
    /// The provider that serves it.
    public var provider: ProviderID
    /// Chat or embedding.
    public var kind: Kind
    /// A human-readable name.
    public var displayName: String?
    /// Context window in tokens (input plus output).
    public var contextWindow: Int
    /// Most output tokens per call, where the provider caps it.
    public var maxOutputTokens: Int?
    /// Prices; `nil` when unknown.
    public var pricing: ModelPricing?
    /// What the model can do.
    public var capabilities: Set<ModelCapability>
    /// Set when the provider has deprecated the model.
    public var deprecation: ModelDeprecation?
    /// Other ids that name the same model.
    public var aliases: [String]

    /// Creates an entry.
    public init(
        id: String,
        provider: ProviderID,
        kind: Kind = .chat,
        displayName: String? = nil,
        contextWindow: Int,
        maxOutputTokens: Int? = nil,
        pricing: ModelPricing? = nil,
        capabilities: Set<ModelCapability> = [],
        deprecation: ModelDeprecation? = nil,
        aliases: [String] = []
    ) {
        self.id = id
        self.provider = provider
        self.kind = kind
        self.displayName = displayName
        self.contextWindow = contextWindow
        self.maxOutputTokens = maxOutputTokens
        self.pricing = pricing
        self.capabilities = capabilities
        self.deprecation = deprecation
        self.aliases = aliases
    }
}

/// A capability of a model.
public enum ModelCapability: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Calls tools.
    case tools
    /// Reads images.
    case vision
    /// Thinks before answering (reasoning content).
    case thinking
    /// Answers in JSON mode or to a JSON Schema.
    case json
    /// Reads long documents well (256K-class windows).
    case longContext = "long_context"

    public static func < (lhs: ModelCapability, rhs: ModelCapability) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A provider's deprecation of a model.
public struct ModelDeprecation: Sendable, Hashable, Codable {
    /// The model to use instead.
    public var successor: String?
    /// Other recommended replacements.
    public var alternatives: [String]
    /// The day the model stops working, where announced (`YYYY-MM-DD`).
    public var shutdownDate: String?

    /// Creates a deprecation note.
    public init(successor: String? = nil, alternatives: [String] = [], shutdownDate: String? = nil) {
        self.successor = successor
        self.alternatives = alternatives
        self.shutdownDate = shutdownDate
    }

    /// One line for warnings and listings.
    public var summary: String {
        var replacements: [String] = []
        if let successor { replacements.append(successor) }
        replacements.append(contentsOf: alternatives)
        var text = "deprecated"
        if !replacements.isEmpty { text += "; use \(replacements.joined(separator: " or "))" }
        if let shutdownDate { text += " (shuts down \(shutdownDate))" }
        return text
    }
}

/// Prices of a model in US dollars per million tokens, as exact decimals.
public struct ModelPricing: Sendable, Hashable, Codable {
    /// Input tokens not served from the cache.
    public var inputPerMillion: Decimal
    /// Input tokens served from the provider's prompt cache; the input price when unset.
    public var cachedInputPerMillion: Decimal?
    /// Input tokens written to the provider's prompt cache; the input price when unset.
    public var cacheWritePerMillion: Decimal?
    /// Output tokens, reasoning included.
    public var outputPerMillion: Decimal

    /// Creates prices.
    public init(
        inputPerMillion: Decimal,
        cachedInputPerMillion: Decimal? = nil,
        cacheWritePerMillion: Decimal? = nil,
        outputPerMillion: Decimal
    ) {
        self.inputPerMillion = inputPerMillion
        self.cachedInputPerMillion = cachedInputPerMillion
        self.cacheWritePerMillion = cacheWritePerMillion
        self.outputPerMillion = outputPerMillion
    }

    /// The exact cost in US dollars of a call that used `usage`.
    public func cost(of usage: Usage) -> Decimal {
        let million = Decimal(1_000_000)
        let uncached = Decimal(usage.uncachedPromptTokens) * inputPerMillion
        let cached = Decimal(usage.cachedPromptTokens) * (cachedInputPerMillion ?? inputPerMillion)
        let written = Decimal(usage.cacheWriteTokens) * (cacheWritePerMillion ?? inputPerMillion)
        let output = Decimal(usage.completionTokens) * outputPerMillion
        return (uncached + cached + written + output) / million
    }
}
