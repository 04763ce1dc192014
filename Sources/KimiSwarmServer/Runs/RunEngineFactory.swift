import Foundation
public import KimiSwarmClient
public import KimiSwarmCore
public import KimiSwarmEngine
import KimiSwarmStore
public import Logging

/// Builds the swarm engine for a tenant's runs: the production client as the model, the
/// store's journal (wrapped to record each model call in the usage ledger), the built-in
/// templates and ready-made swarms, and the safe default tools.
public struct RunEngineFactory: Sendable {
    public let client: LLMClient
    public let library: TemplateLibrary
    public let tools: [any Tool]
    let logger: Logger

    public init(client: LLMClient, library: TemplateLibrary, tools: [any Tool] = [CurrentTimeTool(), HTTPGetTool()], logger: Logger) {
        self.client = client
        self.library = library
        self.tools = tools
        self.logger = logger
    }

    var provider: ProviderID { client.configuration.defaultProvider }

    /// An engine whose journal is `journal`.
    public func engine(journal: any RunJournal) -> SwarmEngine {
        SwarmEngine(
            model: client, journal: journal, library: library, tools: tools,
            tiers: ModelTierMap(configuration: client.configuration, provider: provider),
            pricing: CallPricing(registry: client.registry, provider: provider), logger: logger)
    }

    /// The cost estimate of a spec, computed without any call.
    public func estimate(_ spec: RunSpec) -> RunEstimate {
        engine(journal: InMemoryJournal()).estimate(spec)
    }
}
