public import Foundation
import KimiSwarmCore

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
        // Limits outside their bounds are refused before a run starts; clamping them here as
        // well keeps this arithmetic free of overflow whatever a caller passes.
        var limits = spec.limits
        limits.maxSubAgents = limits.maxSubAgents.clamped(to: RunLimits.Bounds.maxSubAgents)
        limits.maxFanOut = limits.maxFanOut.clamped(to: RunLimits.Bounds.maxFanOut)
        limits.maxStepsPerAgent = limits.maxStepsPerAgent.clamped(to: RunLimits.Bounds.maxStepsPerAgent)
        limits.maxOutputTokensPerCall = limits.maxOutputTokensPerCall.clamped(to: RunLimits.Bounds.maxOutputTokensPerCall)
        let graph = try? fixedGraph(for: spec)
        let tasks = min(graph?.tasks.count ?? 0, 100_000)
        let agents = graph == nil ? min(limits.maxSubAgents, 8) : tasks
        let maximumAgents = graph == nil ? limits.maxSubAgents : min(limits.maxSubAgents, tasks + limits.maxFanOut * tasks)
        let output = limits.maxOutputTokensPerCall
        let planning = graph == nil ? 1 : 0

        func agentCost(tier: ModelTier, prompt: Int, output: Int) -> Decimal {
            pricing.maximumCost(model: tiers.model(for: tier), promptTokens: prompt, maxOutputTokens: output)
        }
        let templates = graph?.tasks.compactMap { library.templates[$0.template] } ?? []
        // The first agents use the graph's templates' tiers, the rest the balanced tier. The
        // cost is summed per template and multiplied for the rest, so the work is bounded by
        // the graph's size, never by a sub-agent count.
        func cost(ofAgents count: Int, prompt: Int, output: Int) -> Decimal {
            let known = min(count, templates.count)
            var total: Decimal = 0
            for template in templates.prefix(known) { total += agentCost(tier: template.modelTier, prompt: prompt, output: output) }
            if count > known { total += Decimal(count - known) * agentCost(tier: .balanced, prompt: prompt, output: output) }
            return total
        }

        var expected = 3 * cost(ofAgents: agents, prompt: 3_000, output: min(output, 1_200))
        var maximum = Decimal(limits.maxStepsPerAgent) * cost(ofAgents: maximumAgents, prompt: 16_000, output: output)
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

extension Comparable {
    /// The value, moved into `range` when outside it.
    func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}
