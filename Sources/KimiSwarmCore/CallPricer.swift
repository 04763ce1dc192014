public import Foundation

/// Prices model calls for budgets and quotas: what a request may cost at most before it is
/// sent, and what a response cost after.
///
/// The engine and the platform reserve ``maximumCost(of:promptTokens:maxOutputTokens:)``
/// before each call, so the maximum must hold for wherever the call may go: the client's
/// implementation (`RoutedCallPricing`) prices the model its router will pick and every
/// fallback the call may reach, and takes the most expensive.
public protocol CallPricer: Sendable {
    /// The most a call of `request` can cost with `promptTokens` in and `maxOutputTokens` out.
    func maximumCost(of request: ChatRequest, promptTokens: Int, maxOutputTokens: Int) -> Decimal

    /// The exact cost of a response (0 when its model has no price).
    func cost(of response: ChatResponse) -> Decimal
}

extension CallPricer {
    /// The most a call of `model` can cost (a request with no messages sent to that model).
    public func maximumCost(model: String?, promptTokens: Int, maxOutputTokens: Int) -> Decimal {
        maximumCost(of: ChatRequest(model: model, messages: []), promptTokens: promptTokens, maxOutputTokens: maxOutputTokens)
    }
}
