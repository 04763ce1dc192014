import Foundation
public import KimiSwarmClient
public import KimiSwarmCore
public import KimiSwarmEngine
public import KimiSwarmStore
public import Logging

/// Builds the swarm engine for a tenant's runs: the production client as the model, the
/// store's journal, each model call metered (``RunCallMeter``), the built-in
/// templates and ready-made swarms, and the safe default tools.
public struct RunEngineFactory: Sendable {
    public let client: LLMClient
    public let library: TemplateLibrary
    public let tools: [any Tool]
    package let logger: Logger
    /// What runs, their admission and their execution read the time from.
    public let clock: any SwarmClock

    public init(
        client: LLMClient, library: TemplateLibrary, tools: [any Tool]? = nil, logger: Logger, clock: any SwarmClock = SystemClock()
    ) {
        self.client = client
        self.library = library
        self.tools = tools ?? [CurrentTimeTool(clock: clock), HTTPGetTool(clock: clock)]
        self.logger = logger
        self.clock = clock
    }

    package var provider: ProviderID { client.configuration.defaultProvider }

    /// The shipped templates and swarms plus the tenant's own templates (a definition that no
    /// longer parses is left out and logged; the template routes refuse invalid ones).
    public func library(tenantID: String, store: SwarmStore) async throws -> TemplateLibrary {
        var library = self.library
        for record in try await store.templates.templates(tenantID: tenantID) {
            do {
                let template = try AgentTemplate(yaml: record.definition, file: record.id, source: "tenant")
                if library.templates[template.id] == nil { library.add(template) }
            } catch {
                logger.warning("a tenant template does not parse; runs cannot use it", metadata: ["template_id": "\(record.id)"])
            }
        }
        return library
    }

    /// An engine whose journal is `journal`, with `library` (default: the shipped one).
    /// `client` (default: the server's) serves its model calls, priced where its router sends
    /// them; with `tenantID`, they use that tenant's response-cache scope; `meter` (default: none)
    /// records each call the run really makes.
    public func engine(
        journal: any RunJournal, library: TemplateLibrary? = nil, client: LLMClient? = nil, tenantID: String? = nil,
        meter: (any ModelCallMeter)? = nil
    ) -> SwarmEngine {
        let model = client ?? self.client
        return SwarmEngine(
            model: tenantID.map { TenantScopedModel(base: model, tenantID: $0) } ?? model, journal: journal, library: library ?? self.library,
            tools: tools,
            tiers: ModelTierMap(configuration: model.configuration, provider: provider),
            pricing: RoutedCallPricing(client: model), meter: meter ?? PricedCalls(), logger: logger, clock: clock)
    }

    /// The cost estimate of a spec, computed without any call.
    public func estimate(_ spec: RunSpec, library: TemplateLibrary? = nil) -> RunEstimate {
        engine(journal: InMemoryJournal(), library: library).estimate(spec)
    }
}
