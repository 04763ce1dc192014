/// What a run does: a task, where its plan comes from, and its limits. Journaled as the
/// run's first step, so `resume` needs only the run id.
public struct RunSpec: Sendable, Hashable, Codable {
    /// Where the graph of sub-tasks comes from.
    public enum Source: Sendable, Hashable, Codable {
        /// One planning call decides.
        case planner
        /// A ready-made swarm by id.
        case swarm(String)
        /// A graph given by the user.
        case graph(TaskGraph)
    }

    /// The user's task.
    public var task: String
    /// Where the plan comes from.
    public var source: Source
    /// The run's limits.
    public var limits: RunLimits

    /// Creates a specification.
    public init(task: String, source: Source = .planner, limits: RunLimits = RunLimits()) {
        self.task = task
        self.source = source
        self.limits = limits
    }
}
