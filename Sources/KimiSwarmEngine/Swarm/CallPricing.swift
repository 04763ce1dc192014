public import Foundation
public import KimiSwarmCore

/// Prices model calls for the budget from the model registry's prices, as if every call went
/// to ``provider``: a call's maximum before it is sent, its exact cost after. A client with a
/// router prices calls where the router sends them (`RoutedCallPricing` of the client).
public struct CallPricing: CallPricer {
    /// Models and prices.
    public var registry: ModelRegistry
    /// The provider that serves requests (prices for estimates are looked up there).
    public var provider: ProviderID

    /// Creates pricing over `registry`.
    public init(registry: ModelRegistry, provider: ProviderID) {
        self.registry = registry
        self.provider = provider
    }

    /// No prices: every call costs 0 (tokens are still counted and limited).
    public static let free = CallPricing(registry: .empty, provider: ProviderID("none"))

    /// The exact cost of a response (0 when its model has no price).
    public func cost(of response: ChatResponse) -> Decimal {
        registry.resolvedEntry(provider: response.provider, model: response.model)?.pricing?.cost(of: response.usage)
            ?? registry.resolvedEntry(provider: provider, model: response.model)?.pricing?.cost(of: response.usage) ?? 0
    }

    /// The most a call of `request.model` can cost with `promptTokens` in and `maxOutputTokens` out.
    public func maximumCost(of request: ChatRequest, promptTokens: Int, maxOutputTokens: Int) -> Decimal {
        guard let model = request.model, let pricing = registry.resolvedEntry(provider: provider, model: model)?.pricing else { return 0 }
        return pricing.cost(of: Usage(promptTokens: promptTokens, completionTokens: maxOutputTokens))
    }

    /// A deliberately high estimate of a request's prompt tokens (one token per three
    /// characters, plus framing), so reservations are upper bounds.
    public static func promptTokenBound(_ request: ChatRequest) -> Int {
        var characters = 0
        for message in request.messages {
            characters += message.text.utf8.count + (message.reasoningContent?.utf8.count ?? 0) + 16
            for call in message.toolCalls { characters += call.arguments.utf8.count + call.name.utf8.count + 16 }
        }
        for tool in request.tools {
            characters += tool.name.utf8.count + (tool.description?.utf8.count ?? 0) + tool.parameters.canonicalText.utf8.count
        }
        return characters / 3 + 8 * request.messages.count + 16
    }
}
