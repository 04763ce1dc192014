public import Foundation

/// What a run is likely to cost, and at most, before it starts.
public struct RunEstimate: Sendable, Hashable, Codable {
    /// Sub-agents expected (the graph's size; for a planned run, a typical plan's).
    public var agents: Int
    /// Model calls expected, and at most.
    public var expectedCalls: Int
    public var maximumCalls: Int
    /// Cost expected, and the most the limits allow, in US dollars.
    public var expectedCostUSD: Decimal
    public var maximumCostUSD: Decimal
    /// Whether prices were known for the models (an unknown price counts as zero).
    public var pricesKnown: Bool
}

extension SwarmEngine {
    /// A typical agent: a few turns with a moderate prompt; the maximum: every allowed step with
    /// a long prompt and full output, bounded by the run's cost budget.
    public func estimate(_ spec: RunSpec) -> RunEstimate {
        let limits = spec.limits
        let graph = try? fixedGraph(for: spec)
        let agents = graph?.tasks.count ?? min(limits.maxSubAgents, 8)
        let maximumAgents = graph.map { min(limits.maxSubAgents, $0.tasks.count + limits.maxFanOut * $0.tasks.count) } ?? limits.maxSubAgents
        let output = limits.maxOutputTokensPerCall
        let planning = graph == nil ? 1 : 0

        func agentCost(tier: ModelTier, prompt: Int, output: Int) -> Decimal {
            pricing.maximumCost(model: tiers.model(for: tier), promptTokens: prompt, maxOutputTokens: output)
        }
        let templates = graph?.tasks.compactMap { library.templates[$0.template] } ?? []
        let tierOf: (Int) -> ModelTier = { index in index < templates.count ? templates[index].modelTier : .balanced }

        var expected: Decimal = 0
        var maximum: Decimal = 0
        for index in 0..<agents {
            expected += 3 * agentCost(tier: tierOf(index), prompt: 3_000, output: min(output, 1_200))
        }
        for index in 0..<maximumAgents {
            maximum += Decimal(limits.maxStepsPerAgent) * agentCost(tier: tierOf(index), prompt: 16_000, output: output)
        }
        let plannerModel = tiers.plannerModel
        let plan = pricing.maximumCost(model: plannerModel, promptTokens: 4_000, maxOutputTokens: min(output, 2_000))
        let synthesis = pricing.maximumCost(model: plannerModel, promptTokens: 1_500 * agents, maxOutputTokens: output)
        expected += Decimal(planning) * plan + synthesis
        maximum += Decimal(planning * 2) * pricing.maximumCost(model: plannerModel, promptTokens: 4_000, maxOutputTokens: output)
            + pricing.maximumCost(model: plannerModel, promptTokens: 8 * output + 1_500 * maximumAgents, maxOutputTokens: output)
        if let budget = limits.maxCostUSD {
            let oneCall = pricing.maximumCost(model: plannerModel, promptTokens: 16_000, maxOutputTokens: output)
            maximum = min(maximum, budget + oneCall)
            expected = min(expected, maximum)
        }
        let pricesKnown = pricing.maximumCost(model: plannerModel, promptTokens: 1_000, maxOutputTokens: 1) > 0
        return RunEstimate(
            agents: agents, expectedCalls: planning + 3 * agents + 1,
            maximumCalls: planning * 2 + maximumAgents * limits.maxStepsPerAgent + 1, expectedCostUSD: expected.rounded(6),
            maximumCostUSD: maximum.rounded(6), pricesKnown: pricesKnown)
    }
}
