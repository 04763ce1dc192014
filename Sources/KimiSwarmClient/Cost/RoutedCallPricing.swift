public import Foundation
public import KimiSwarmCore

/// Prices calls where the client sends them, for budget and quota reservations: a call's
/// maximum is priced at the model the router will pick and at every fallback it may reach
/// (a call that falls back is billed at the model that answered), and the most expensive one
/// counts. A model the registry has no price for is priced at the configured ceiling
/// (`pricing.unpriced_ceiling_per_million`), or at 0 without one.
public struct RoutedCallPricing: CallPricer {
    /// The client whose router, providers and registry decide.
    public let client: LLMClient
    /// The provider every call is pinned to (`swarm run --provider`); `nil`: as the client routes.
    public let provider: ProviderID?

    /// Creates pricing over `client`, for calls sent as it routes them or all to `provider`.
    public init(client: LLMClient, provider: ProviderID? = nil) {
        self.client = client
        self.provider = provider
    }

    /// The targets a call of `request` may reach, in order: the router's plan when there is
    /// a router and no `provider` is named, else `provider` (or the default provider) with
    /// the request's model (or the provider's default model).
    public func targets(of request: ChatRequest, provider: ProviderID? = nil) -> [RouteTarget] {
        if provider == nil, let router = client.router {
            let targets = router.route(request).targets
            if !targets.isEmpty { return targets }
        }
        let id = provider ?? client.configuration.defaultProvider
        guard let model = try? client.configuration.providers[id]?.resolveModel(request.model) else { return [] }
        return [RouteTarget(provider: id, model: model)]
    }

    /// The most a call of `request` sent through `provider` (`nil`: as the client routes it)
    /// can cost with `promptTokens` in and `maxOutputTokens` out.
    public func maximumCost(of request: ChatRequest, provider: ProviderID?, promptTokens: Int, maxOutputTokens: Int) -> Decimal {
        let usage = Usage(promptTokens: promptTokens, completionTokens: maxOutputTokens)
        let ceiling = client.configuration.pricing.unpricedCeiling
        var maximum: Decimal = 0
        for target in targets(of: request, provider: provider) {
            let pricing = client.registry.resolvedEntry(provider: target.provider, model: target.model)?.pricing ?? ceiling
            if let cost = pricing?.cost(of: usage), cost > maximum { maximum = cost }
        }
        return maximum
    }

    public func maximumCost(of request: ChatRequest, promptTokens: Int, maxOutputTokens: Int) -> Decimal {
        maximumCost(of: request, provider: provider, promptTokens: promptTokens, maxOutputTokens: maxOutputTokens)
    }

    public func cost(of response: ChatResponse) -> Decimal {
        client.cost(of: response) ?? 0
    }
}
