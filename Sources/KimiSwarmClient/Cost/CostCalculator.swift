public import Foundation
public import KimiSwarmCore

/// Computes the exact cost of calls from the model registry, in US dollars as `Decimal`.
///
/// Uncached input tokens are billed at the input price, cached input at the cached price,
/// cache writes at the cache-write price (each the input price when unset), and every
/// completion token, reasoning tokens included, at the output price. A dated snapshot id
/// that is not registered (`gpt-4o-2024-08-06`) is priced as the longest registered id that
/// prefixes it (`gpt-4o`).
public struct CostCalculator: Sendable {
    /// Output tokens assumed by ``estimate(request:target:)`` when the request sets no `maxTokens`.
    public static let defaultEstimatedOutputTokens = 1024

    /// Models and prices.
    public let registry: ModelRegistry

    /// Creates a calculator over `registry`.
    public init(registry: ModelRegistry) {
        self.registry = registry
    }

    /// The prices of a model (dated snapshots resolve to their base id), or `nil` when unknown.
    public func pricing(provider: ProviderID, model: String) -> ModelPricing? {
        registry.resolvedEntry(provider: provider, model: model)?.pricing
    }

    /// The exact cost of `usage` on a model, or `nil` when its prices are unknown.
    public func cost(provider: ProviderID, model: String, usage: Usage) -> Decimal? {
        pricing(provider: provider, model: model)?.cost(of: usage)
    }

    /// The exact cost of a response, or `nil` when its model's prices are unknown.
    public func cost(of response: ChatResponse) -> Decimal? {
        cost(provider: response.provider, model: response.model, usage: response.usage)
    }

    /// A pre-call estimate: the estimated prompt tokens (``TokenEstimator``) at the input
    /// price plus `request.maxTokens` (else ``defaultEstimatedOutputTokens``, capped by the
    /// model's `maxOutputTokens`) at the output price. No prompt-cache discount is assumed.
    public func estimate(request: ChatRequest, target: RouteTarget) -> CostEstimate {
        let entry = registry.resolvedEntry(provider: target.provider, model: target.model)
        let promptTokens = TokenEstimator.estimatePromptTokens(request)
        var outputTokens = request.maxTokens ?? Self.defaultEstimatedOutputTokens
        if request.maxTokens == nil, let cap = entry?.maxOutputTokens { outputTokens = min(outputTokens, cap) }
        let usage = Usage(promptTokens: promptTokens, completionTokens: outputTokens)
        return CostEstimate(
            target: target, promptTokens: promptTokens, completionTokens: outputTokens, cost: entry?.pricing?.cost(of: usage))
    }
}
