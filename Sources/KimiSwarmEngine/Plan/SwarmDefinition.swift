/// A ready-made swarm: a fixed graph of sub-agents that needs no planning call.
public struct SwarmDefinition: Sendable, Hashable, Codable {
    /// The name users pick it by (`security`).
    public var id: String
    /// Display name.
    public var name: String
    /// What it does.
    public var description: String
    /// The graph.
    public var graph: TaskGraph
    /// Where it came from.
    public var source: String

    /// Creates a definition.
    public init(id: String, name: String, description: String, graph: TaskGraph, source: String = "code") {
        self.id = id
        self.name = name
        self.description = description
        self.graph = graph
        self.source = source
    }

    /// Reads a swarm from YAML text; `file` names it in errors.
    public init(yaml text: String, file: String, source: String? = nil) throws(TemplateError) {
        var document = try YAMLDocument(text: text, file: file)
        let id = document.string("id") ?? ""
        let name = document.string("name") ?? ""
        let description = document.string("description", required: false) ?? ""
        let synthesis = document.string("synthesis_instructions", required: false)
        var problems: [String] = []
        let graph = TaskGraph(
            tasks: Self.tasks(document.sequence("tasks") ?? [], file: file, problems: &problems),
            synthesisInstructions: synthesis?.trimmingCharacters(in: .whitespacesAndNewlines))
        if document.sequence("tasks") == nil { document.problem("tasks", "is missing") }
        document.rejectUnknownFields()
        problems = document.problems + problems
        if !problems.isEmpty { throw TemplateError(problems: problems) }
        self.init(
            id: id, name: name, description: description.trimmingCharacters(in: .whitespacesAndNewlines), graph: graph,
            source: source ?? file)
    }

    /// Reads a graph file (YAML or JSON: `tasks` and optional `synthesis_instructions`).
    public static func graph(yaml text: String, file: String) throws(TemplateError) -> TaskGraph {
        var document = try YAMLDocument(text: text, file: file)
        let synthesis = document.string("synthesis_instructions", required: false)
        var problems: [String] = []
        let tasks = document.sequence("tasks")
        if tasks == nil { document.problem("tasks", "is missing") }
        let graph = TaskGraph(tasks: Self.tasks(tasks ?? [], file: file, problems: &problems), synthesisInstructions: synthesis)
        _ = document.string("id", required: false)
        _ = document.string("name", required: false)
        _ = document.string("description", required: false)
        document.rejectUnknownFields()
        problems = document.problems + problems
        if !problems.isEmpty { throw TemplateError(problems: problems) }
        return graph
    }

    private static func tasks(_ nodes: [Yams.Node], file: String, problems: inout [String]) -> [SubTask] {
        var tasks: [SubTask] = []
        for (index, node) in nodes.enumerated() {
            guard var element = YAMLDocument.element(node, file: "\(file): tasks[\(index)]") else {
                problems.append("\(file): field `tasks[\(index)]`: must be a mapping with id, template, instructions")
                continue
            }
            let id = element.string("id") ?? ""
            let template = element.string("template") ?? ""
            let instructions = element.string("instructions") ?? ""
            let expected = element.string("expected_output", required: false) ?? ""
            let dependsOn = element.strings("depends_on")
            let policyText = element.string("on_failure", required: false)
            var policy: FailurePolicy?
            if let policyText {
                policy = FailurePolicy(rawValue: policyText)
                if policy == nil { element.problem("on_failure", "must be retry, skip or fail (got \"\(policyText)\")") }
            }
            element.rejectUnknownFields()
            problems += element.problems
            tasks.append(
                SubTask(
                    id: id, template: template, instructions: instructions.trimmingCharacters(in: .whitespacesAndNewlines),
                    expectedOutput: expected.trimmingCharacters(in: .whitespacesAndNewlines), dependsOn: dependsOn,
                    onFailure: policy))
        }
        return tasks
    }
}

import Foundation
import Yams
