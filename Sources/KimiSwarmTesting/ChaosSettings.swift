/// The fault mix of a ``ChaosUpstream``: which share of the model calls fail and how, how long
/// answers take, and what the answers report.
///
/// Every fault is off by default, so a fresh upstream behaves like the plain echo fake. Each
/// model call draws one number from a seeded generator: the fractions, in the order of the
/// properties below (`rateLimit`, `errors`, `reset`, `hang`, `stall`, `truncate`), take
/// consecutive slices of `0..<1`, so their sum must be at most 1. A burst comes before the draw.
///
/// It is read from and written as JSON (snake-case keys) by `GET`/`POST /_chaos/config` and the
/// fake provider's `--chaos JSON` flag; a JSON object changes only the keys it names.
public struct ChaosSettings: Sendable, Hashable {
    /// One `swarm` planner reply: a graph of `agents` tasks of `template`, in `lanes` parallel lanes
    /// (task k depends on task k − lanes; `lanes` = `agents` makes them all independent).
    public struct SwarmPlan: Sendable, Hashable {
        /// Number of tasks (1...100).
        public var agents: Int
        /// Tasks that run side by side (1...agents).
        public var lanes: Int
        /// The agent template of every task.
        public var template: String

        /// Creates a plan shape.
        public init(agents: Int, lanes: Int? = nil, template: String = "generalist") {
            self.agents = agents
            self.lanes = lanes ?? agents
            self.template = template
        }
    }

    /// Seed of the fault draws (setting it restarts the sequence).
    public var seed: UInt64 = 1
    /// Milliseconds before each answer's first byte, and up to this many more at random.
    public var latencyMilliseconds = 0
    public var latencyJitterMilliseconds = 0
    /// Share of calls answered 429 `rate_limit_exceeded`, with `Retry-After: retryAfter` when set.
    public var rateLimit = 0.0
    public var retryAfter: Int? = 1
    /// Share of calls answered `errorStatus` (a server error).
    public var errors = 0.0
    public var errorStatus = 500
    /// The next `burst` calls are answered `burstStatus` (then the burst is over).
    public var burst = 0
    public var burstStatus = 503
    /// Share of calls whose connection is reset without an answer.
    public var reset = 0.0
    /// Share of calls accepted and never answered.
    public var hang = 0.0
    /// Share of calls whose answer stops mid-way and stays silent: a stream after half its
    /// events, a plain body after half its bytes.
    public var stall = 0.0
    /// Share of calls whose answer is cut mid-way: a stream closed after half its events without
    /// `[DONE]`, a plain body closed after half its bytes.
    public var truncate = 0.0
    /// Usage reported by every chat completion instead of the counted one.
    public var usage: OpenAIWire.Usage?
    /// When set, the engine's planner, agents and synthesiser get their swarm replies (as
    /// ``SwarmScript`` gives them), the planner this plan.
    public var swarm: SwarmPlan?

    /// The defaults: no faults, no latency, the echo model's usage.
    public init() {}

    /// The sum of the fault fractions.
    var faultShare: Double {
        rateLimit + errors + reset + hang + stall + truncate
    }
}
