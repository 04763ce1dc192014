public import Foundation
public import KimiSwarmCore

/// A cost estimated before a call; an upper-bound guess, never a bill.
public struct CostEstimate: Sendable, Hashable {
    /// The provider and model the estimate is for.
    public var target: RouteTarget
    /// Estimated input tokens.
    public var promptTokens: Int
    /// Output tokens assumed (the request's `maxTokens` or the default).
    public var completionTokens: Int
    /// The estimated cost in US dollars, or `nil` when the model's prices are unknown.
    public var cost: Decimal?
    /// Always `true`: this is an estimate, not a measured cost.
    public var isEstimate: Bool { true }

    /// Creates an estimate.
    public init(target: RouteTarget, promptTokens: Int, completionTokens: Int, cost: Decimal?) {
        self.target = target
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cost = cost
    }
}
