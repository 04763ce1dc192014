import Foundation
package import KimiSwarmEngine

/// The one check of a run's specification before it is queued, with the engine's own limits
/// (``RunLimits/Bounds``, ``GraphValidator``), so that what is accepted is what the engine
/// runs: the API, the dashboard and estimates all go through it. A run refused here is
/// refused before anything is stored.
package enum RunSpecValidation {
    /// The longest task, in bytes of UTF-8.
    package static let maxTaskBytes = 100_000

    /// The task and the limits, on their own (before the plan's caps are applied): an empty
    /// or oversized task and a limit outside its bounds are 422s naming the field.
    package static func checkRequest(_ spec: RunSpec) throws {
        guard !spec.task.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw PlatformError.unprocessable("`task` is empty", hint: "Say what the swarm should do.", param: "task")
        }
        guard spec.task.utf8.count <= maxTaskBytes else {
            throw PlatformError.unprocessable("`task` is longer than 100,000 bytes", hint: "Shorten the task.", param: "task")
        }
        if let problem = spec.limits.fieldProblems.first {
            let field = "budgets.\(problem.field)"
            throw PlatformError.unprocessable("`\(field)` \(problem.message)", hint: "Fix `\(field)`.", param: field)
        }
    }

    /// The plan as the engine will run it, with the limits in force (after the plan's caps):
    /// a ready-made swarm must exist; a graph (given, or the swarm's) must have no more tasks
    /// than `budgets.max_sub_agents` (400 naming the limit), and must be valid (422).
    package static func checkPlan(_ spec: RunSpec, library: TemplateLibrary) throws {
        var graph: TaskGraph?
        switch spec.source {
        case .planner: return
        case .graph(let given): graph = given
        case .swarm(let id):
            guard let swarm = library.swarms[id] else {
                throw PlatformError.unprocessable(
                    "unknown swarm `\(id)`", hint: "Use one of: \(library.swarms.keys.sorted().joined(separator: ", ")).", param: "swarm")
            }
            graph = swarm.graph
        }
        guard let graph else { return }
        let maximum = spec.limits.maxSubAgents
        if graph.tasks.count > maximum {
            let what = if case .swarm(let id) = spec.source { "the swarm `\(id)` has" } else { "the graph has" }
            throw PlatformError.invalidRequest(
                "\(what) \(graph.tasks.count) tasks, more than the run's max sub-agents (`budgets.max_sub_agents`: \(maximum))",
                hint: "Raise `budgets.max_sub_agents` to at least \(graph.tasks.count) (at most \(RunLimits.Bounds.maxSubAgents.upperBound), "
                    + "within the plan), or merge tasks.",
                param: "budgets.max_sub_agents")
        }
        let validator = GraphValidator(knownTemplates: Set(library.templates.keys), maxTasks: maximum)
        let problems = validator.problems(in: graph)
        if !problems.isEmpty {
            throw PlatformError.unprocessable(
                "the graph is invalid: \(problems.prefix(5).joined(separator: "; "))", hint: "Fix the tasks named.", param: "graph")
        }
    }
}
