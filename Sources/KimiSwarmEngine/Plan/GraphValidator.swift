/// Checks a plan before it runs: known templates, unique well-formed ids, existing
/// dependencies, no cycles, and size limits.
public struct GraphValidator: Sendable {
    static var idPattern: Regex<Substring> { /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,63}$/ }

    /// Template ids that exist.
    public var knownTemplates: Set<String>
    /// The most sub-tasks a graph may have.
    public var maxTasks: Int
    /// The most dependencies one sub-task may have.
    public var maxDependencies: Int

    /// Creates a validator.
    public init(knownTemplates: Set<String>, maxTasks: Int, maxDependencies: Int = 50) {
        self.knownTemplates = knownTemplates
        self.maxTasks = maxTasks
        self.maxDependencies = maxDependencies
    }

    /// Every problem with `graph`, each a sentence a model (or a person) can act on.
    public func problems(in graph: TaskGraph) -> [String] {
        var problems: [String] = []
        if graph.tasks.isEmpty { problems.append("the plan has no tasks; give at least one") }
        if graph.tasks.count > maxTasks {
            problems.append("the plan has \(graph.tasks.count) tasks; at most \(maxTasks) are allowed, so merge related tasks")
        }
        var seen = Set<String>()
        for task in graph.tasks {
            if (try? Self.idPattern.wholeMatch(in: task.id)) == nil {
                problems.append("task id \"\(task.id)\" must be letters, digits, '-' or '_' (at most 64)")
            }
            if !seen.insert(task.id).inserted { problems.append("task id \"\(task.id)\" is used twice") }
            if !knownTemplates.contains(task.template) {
                problems.append("task \"\(task.id)\" uses unknown template \"\(task.template)\"; use one of the listed template ids")
            }
            if task.instructions.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                problems.append("task \"\(task.id)\" has no instructions")
            }
            if task.dependsOn.count > maxDependencies {
                problems.append("task \"\(task.id)\" depends on \(task.dependsOn.count) tasks; at most \(maxDependencies)")
            }
        }
        let ids = Set(graph.tasks.map(\.id))
        for task in graph.tasks {
            for dependency in task.dependsOn {
                if dependency == task.id {
                    problems.append("task \"\(task.id)\" depends on itself")
                } else if !ids.contains(dependency) {
                    problems.append("task \"\(task.id)\" depends on \"\(dependency)\", which is not a task of the plan")
                }
            }
        }
        if let cycle = findCycle(graph) {
            problems.append("the dependencies form a cycle: \(cycle.joined(separator: " → ")); remove one dependency")
        }
        return problems
    }

    /// A cycle as a list of ids (first repeated at the end), or `nil`.
    func findCycle(_ graph: TaskGraph) -> [String]? {
        let byID = Dictionary(graph.tasks.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var stack: [String] = []
        func visit(_ id: String) -> [String]? {
            if state[id] == 2 { return nil }
            if state[id] == 1 {
                guard let start = stack.firstIndex(of: id) else { return [id, id] }
                return Array(stack[start...]) + [id]
            }
            state[id] = 1
            stack.append(id)
            for dependency in byID[id]?.dependsOn ?? [] where dependency != id && byID[dependency] != nil {
                if let cycle = visit(dependency) { return cycle }
            }
            stack.removeLast()
            state[id] = 2
            return nil
        }
        for task in graph.tasks {
            if let cycle = visit(task.id) { return cycle }
        }
        return nil
    }
}

import Foundation
