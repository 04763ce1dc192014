public import Foundation

/// The limits of one run. A run that reaches one stops starting new work, accounts for every
/// call already under way, and synthesises what it has (marked partial).
public struct RunLimits: Sendable, Hashable, Codable {
    /// Most tokens (input plus output) over the whole run; `nil` for no limit.
    public var maxTokens: Int?
    /// Most spend in US dollars; `nil` for no limit. Final spend stays within this plus one
    /// call's maximum cost.
    public var maxCostUSD: Decimal?
    /// Most wall time, in seconds; `nil` for no limit.
    public var maxWallSeconds: Double?
    /// Most sub-agents, delegated ones included.
    public var maxSubAgents: Int
    /// Most tool calls over the run.
    public var maxToolCalls: Int
    /// Most sub-agents running at once.
    public var concurrency: Int
    /// How deep delegation may nest (0 forbids delegation).
    public var maxDepth: Int
    /// Most delegations one agent may make.
    public var maxFanOut: Int
    /// Most model calls one agent may make before it must answer.
    public var maxStepsPerAgent: Int
    /// Longest a tool call may take, in seconds.
    public var toolTimeoutSeconds: Double
    /// Most output tokens one model call may produce (bounds each call's cost).
    public var maxOutputTokensPerCall: Int
    /// What to do when a sub-task fails (a sub-task's own policy wins).
    public var failurePolicy: FailurePolicy
    /// How often `retry` runs a failed sub-task again.
    public var maxRetries: Int

    /// Creates limits; every one has a default that suits an interactive run.
    public init(
        maxTokens: Int? = nil, maxCostUSD: Decimal? = nil, maxWallSeconds: Double? = nil, maxSubAgents: Int = 100,
        maxToolCalls: Int = 1500, concurrency: Int = 16, maxDepth: Int = 2, maxFanOut: Int = 5,
        maxStepsPerAgent: Int = 16, toolTimeoutSeconds: Double = 60, maxOutputTokensPerCall: Int = 4096,
        failurePolicy: FailurePolicy = .retry, maxRetries: Int = 1
    ) {
        self.maxTokens = maxTokens
        self.maxCostUSD = maxCostUSD
        self.maxWallSeconds = maxWallSeconds
        self.maxSubAgents = maxSubAgents
        self.maxToolCalls = maxToolCalls
        self.concurrency = concurrency
        self.maxDepth = maxDepth
        self.maxFanOut = maxFanOut
        self.maxStepsPerAgent = maxStepsPerAgent
        self.toolTimeoutSeconds = toolTimeoutSeconds
        self.maxOutputTokensPerCall = maxOutputTokensPerCall
        self.failurePolicy = failurePolicy
        self.maxRetries = maxRetries
    }

    /// Problems with the values (non-positive counts and so on).
    public var problems: [String] {
        var problems: [String] = []
        if let maxTokens, maxTokens <= 0 { problems.append("max tokens must be positive") }
        if let maxCostUSD, maxCostUSD <= 0 { problems.append("max cost must be positive") }
        if let maxWallSeconds, maxWallSeconds <= 0 { problems.append("max wall time must be positive") }
        if maxSubAgents < 1 { problems.append("max sub-agents must be at least 1") }
        if maxToolCalls < 0 { problems.append("max tool calls must not be negative") }
        if concurrency < 1 { problems.append("concurrency must be at least 1") }
        if maxDepth < 0 { problems.append("max depth must not be negative") }
        if maxStepsPerAgent < 1 { problems.append("max steps per agent must be at least 1") }
        if toolTimeoutSeconds <= 0 { problems.append("tool timeout must be positive") }
        if maxOutputTokensPerCall < 1 { problems.append("max output tokens per call must be at least 1") }
        if maxRetries < 0 { problems.append("max retries must not be negative") }
        return problems
    }
}
