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

    /// Problems with the values, each naming its field by its wire name (`max_wall_seconds`)
    /// and saying the range it must be in (``Bounds``).
    public var problems: [String] { fieldProblems.map { "`\($0.field)` \($0.message)" } }

    /// Problems with the values, with the field (wire name) each is about.
    public var fieldProblems: [(field: String, message: String)] {
        var problems: [(field: String, message: String)] = []
        func check(_ field: String, _ value: Int?, _ range: ClosedRange<Int>) {
            guard let value, !range.contains(value) else { return }
            problems.append((field, "must be \(range.lowerBound) to \(range.upperBound) (got \(value))"))
        }
        func check(_ field: String, _ value: Double?, above lower: Double, atMost upper: Double) {
            guard let value else { return }
            guard value.isFinite, value > lower, value <= upper else {
                problems.append((field, "must be more than \(lower.formatted()) and at most \(upper.formatted()) seconds"))
                return
            }
        }
        check("max_tokens", maxTokens, Bounds.maxTokens)
        if let maxCostUSD, !(maxCostUSD > 0 && maxCostUSD <= Bounds.maxCostUSD) {
            problems.append(("max_cost_usd", "must be more than 0 and at most \(Bounds.maxCostUSD) US dollars"))
        }
        check("max_wall_seconds", maxWallSeconds, above: 0, atMost: Bounds.maxWallSeconds)
        check("max_sub_agents", maxSubAgents, Bounds.maxSubAgents)
        check("max_tool_calls", maxToolCalls, Bounds.maxToolCalls)
        check("concurrency", concurrency, Bounds.concurrency)
        check("max_depth", maxDepth, Bounds.maxDepth)
        check("max_fan_out", maxFanOut, Bounds.maxFanOut)
        check("max_steps_per_agent", maxStepsPerAgent, Bounds.maxStepsPerAgent)
        check("tool_timeout_seconds", toolTimeoutSeconds, above: 0, atMost: Bounds.toolTimeoutSeconds)
        check("max_output_tokens_per_call", maxOutputTokensPerCall, Bounds.maxOutputTokensPerCall)
        check("max_retries", maxRetries, Bounds.maxRetries)
        return problems
    }

    /// The range of every limit. The API, the command line and the engine refuse values
    /// outside them (the engine checks a spec again when it reads one back from storage).
    public enum Bounds {
        /// Tokens over a whole run: 1 to 100 million.
        public static let maxTokens = 1...100_000_000
        /// Spend of one run, in US dollars: more than 0, at most 1,000,000.
        public static let maxCostUSD: Decimal = 1_000_000
        /// Wall time of one run: more than 0, at most 7 days.
        public static let maxWallSeconds: Double = 604_800
        /// Sub-agents of one run: 1 to 1,000.
        public static let maxSubAgents = 1...1_000
        /// Tool calls of one run: 0 to 100,000.
        public static let maxToolCalls = 0...100_000
        /// Sub-agents at once: 1 to 256.
        public static let concurrency = 1...256
        /// Delegation depth: 0 to 8.
        public static let maxDepth = 0...8
        /// Delegations by one agent: 0 to 100.
        public static let maxFanOut = 0...100
        /// Model calls of one agent: 1 to 256.
        public static let maxStepsPerAgent = 1...256
        /// One tool call: more than 0, at most one hour.
        public static let toolTimeoutSeconds: Double = 3_600
        /// Output tokens of one model call: 1 to 1,000,000.
        public static let maxOutputTokensPerCall = 1...1_000_000
        /// Retries of a failed sub-task: 0 to 10.
        public static let maxRetries = 0...10
    }
}
