/// What to do when a sub-task fails.
public enum FailurePolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Run it again (up to the run's retry count), then fail the run.
    case retry
    /// Record the failure and go on; dependents are told the dependency failed.
    case skip
    /// Fail the run at once.
    case fail
}

/// One sub-task of a plan: an agent of `template` given `instructions`, the user's task and
/// the results of `dependsOn`.
public struct SubTask: Sendable, Hashable, Codable {
    /// Unique within the graph (lowercase letters, digits, hyphens and underscores).
    public var id: String
    /// The agent template that runs it.
    public var template: String
    /// What this sub-agent must do.
    public var instructions: String
    /// What its answer should contain.
    public var expectedOutput: String
    /// Ids of sub-tasks whose results it receives (and waits for).
    public var dependsOn: [String]
    /// What to do when it fails; the run's default when `nil`.
    public var onFailure: FailurePolicy?

    /// Creates a sub-task.
    public init(
        id: String, template: String, instructions: String, expectedOutput: String = "", dependsOn: [String] = [],
        onFailure: FailurePolicy? = nil
    ) {
        self.id = id
        self.template = template
        self.instructions = instructions
        self.expectedOutput = expectedOutput
        self.dependsOn = dependsOn
        self.onFailure = onFailure
    }

    enum CodingKeys: String, CodingKey {
        case id, template, instructions
        case expectedOutput = "expected_output"
        case dependsOn = "depends_on"
        case onFailure = "on_failure"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        template = try container.decode(String.self, forKey: .template)
        instructions = try container.decode(String.self, forKey: .instructions)
        expectedOutput = try container.decodeIfPresent(String.self, forKey: .expectedOutput) ?? ""
        dependsOn = try container.decodeIfPresent([String].self, forKey: .dependsOn) ?? []
        onFailure = try container.decodeIfPresent(FailurePolicy.self, forKey: .onFailure)
    }
}

/// A plan: sub-tasks with dependencies (a directed acyclic graph) and how to merge them.
public struct TaskGraph: Sendable, Hashable, Codable {
    /// The sub-tasks.
    public var tasks: [SubTask]
    /// Extra instructions for the synthesis.
    public var synthesisInstructions: String?

    /// Creates a graph.
    public init(tasks: [SubTask], synthesisInstructions: String? = nil) {
        self.tasks = tasks
        self.synthesisInstructions = synthesisInstructions
    }

    enum CodingKeys: String, CodingKey {
        case tasks
        case synthesisInstructions = "synthesis_instructions"
    }

    /// The sub-task with `id`.
    public func task(_ id: String) -> SubTask? { tasks.first { $0.id == id } }

    /// The tasks in an order where every task comes after its dependencies (the graph must
    /// be valid).
    public var topologicalOrder: [SubTask] {
        var placed = Set<String>()
        var order: [SubTask] = []
        var remaining = tasks
        while !remaining.isEmpty {
            let ready = remaining.filter { $0.dependsOn.allSatisfy(placed.contains) }
            if ready.isEmpty { return order + remaining }
            for task in ready { placed.insert(task.id) }
            order += ready
            remaining.removeAll { placed.contains($0.id) }
        }
        return order
    }

    /// The number of tasks on the longest dependency chain.
    public var depth: Int {
        var levels: [String: Int] = [:]
        for task in topologicalOrder {
            levels[task.id] = 1 + (task.dependsOn.compactMap { levels[$0] }.max() ?? 0)
        }
        return levels.values.max() ?? 0
    }
}
