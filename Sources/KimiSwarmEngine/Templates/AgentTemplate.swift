public import KimiSwarmCore

/// A kind of agent: who it is (system prompt), which model tier it wants, which tools it may
/// use and, optionally, the JSON Schema its answer must match.
public struct AgentTemplate: Sendable, Hashable, Codable {
    /// Lowercase letters, digits and hyphens; unique in a library.
    public var id: String
    /// Display name.
    public var name: String
    /// A grouping such as `security` or `architecture`.
    public var category: String
    /// One line a user can scan.
    public var purpose: String
    /// When to use it and what it produces.
    public var description: String
    /// The model tier the template prefers.
    public var modelTier: ModelTier
    /// The tools the engine lets this agent call; nothing else, whatever the model asks for.
    public var tools: [String]
    /// The system prompt.
    public var systemPrompt: String
    /// A JSON Schema the final answer must match (the answer is then JSON), or `nil` for text.
    public var outputSchema: JSONValue?
    /// Example tasks.
    public var examples: [String]
    /// Where the template came from: `built-in` or a file path.
    public var source: String

    /// Creates a template.
    public init(
        id: String, name: String, category: String, purpose: String, description: String = "",
        modelTier: ModelTier = .balanced, tools: [String] = [], systemPrompt: String, outputSchema: JSONValue? = nil,
        examples: [String] = [], source: String = "code"
    ) {
        self.id = id
        self.name = name
        self.category = category
        self.purpose = purpose
        self.description = description
        self.modelTier = modelTier
        self.tools = tools
        self.systemPrompt = systemPrompt
        self.outputSchema = outputSchema
        self.examples = examples
        self.source = source
    }
}

/// How capable (and expensive) a model a template wants; configuration maps each tier to a
/// concrete model.
public enum ModelTier: String, Sendable, Hashable, Codable, CaseIterable {
    /// Cheap and quick: summaries, extraction, formatting.
    case fast
    /// The default for most work.
    case balanced
    /// The hardest reasoning: audits, architecture, planning.
    case deep
}

/// Which model serves each tier. `nil` sends no model id, so the provider's default model
/// answers (with one provider configured, every template runs on it).
public struct ModelTierMap: Sendable, Hashable, Codable {
    public var fast: String?
    public var balanced: String?
    public var deep: String?
    /// The model for planning and synthesis (`deep`'s when unset).
    public var planner: String?

    /// Creates a map.
    public init(fast: String? = nil, balanced: String? = nil, deep: String? = nil, planner: String? = nil) {
        self.fast = fast
        self.balanced = balanced
        self.deep = deep
        self.planner = planner
    }

    /// The tiers of a configuration: `model` for all when given, else the `swarm.model_*`
    /// settings, else `provider`'s default model (so with one provider every template runs on it).
    public init(configuration: KimiSwarmConfiguration, provider: ProviderID, model: String? = nil) {
        if let model {
            self = .single(model)
            return
        }
        let settings = configuration.swarm
        let fallback = configuration.providers[provider]?.defaultModel
        let deep = settings.modelDeep ?? settings.modelBalanced ?? settings.modelFast ?? fallback
        self.init(
            fast: settings.modelFast ?? settings.modelBalanced ?? settings.modelDeep ?? fallback,
            balanced: settings.modelBalanced ?? settings.modelDeep ?? settings.modelFast ?? fallback,
            deep: deep, planner: settings.modelPlanner ?? deep)
    }

    /// One model for every tier.
    public static func single(_ model: String?) -> ModelTierMap {
        ModelTierMap(fast: model, balanced: model, deep: model, planner: model)
    }

    /// The model id for `tier`, falling back to the next tier up or down when unset.
    public func model(for tier: ModelTier) -> String? {
        switch tier {
        case .fast: fast ?? balanced ?? deep
        case .balanced: balanced ?? deep ?? fast
        case .deep: deep ?? balanced ?? fast
        }
    }

    /// The model for planning and synthesis.
    public var plannerModel: String? { planner ?? model(for: .deep) }
}
