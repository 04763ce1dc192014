import Foundation
import KimiSwarmCore
import KimiSwarmPlatform
import KimiSwarmEngine

/// The body of `POST /api/v1/runs`: a task, where its plan comes from (the planner, a
/// ready-made swarm, or a graph), and budgets.
struct RunRequest: Decodable, Sendable {
    static let allowedKeys: Set<String> = ["task", "swarm", "graph", "budgets", "on_failure"]
    /// The longest task, in bytes of UTF-8.
    static let maxTaskBytes = 100_000

    struct Budgets: Decodable, Sendable {
        static let allowedKeys: Set<String> = [
            "max_cost_usd", "max_tokens", "max_wall_seconds", "max_sub_agents", "concurrency", "max_tool_calls",
        ]
        var maxCostUSD: Decimal?
        var maxTokens: Int?
        var maxWallSeconds: Double?
        var maxSubAgents: Int?
        var concurrency: Int?
        var maxToolCalls: Int?

        enum CodingKeys: String, CodingKey {
            case maxCostUSD = "max_cost_usd"
            case maxTokens = "max_tokens"
            case maxWallSeconds = "max_wall_seconds"
            case maxSubAgents = "max_sub_agents"
            case concurrency
            case maxToolCalls = "max_tool_calls"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let unknown = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue).filter { !Self.allowedKeys.contains($0) }
            if let first = unknown.first {
                throw APIError.unprocessable("unknown field `budgets.\(first)`", hint: "Allowed: \(Self.allowedKeys.sorted().joined(separator: ", ")).", param: "budgets.\(first)")
            }
            // Money as a string ("1.50") keeps it exact; a number is accepted too.
            maxCostUSD = try container.decodeIfPresent(DecimalText.self, forKey: .maxCostUSD)?.value
            maxTokens = try container.decodeIntegerIfPresent(forKey: .maxTokens)
            maxWallSeconds = try container.decodeIfPresent(Double.self, forKey: .maxWallSeconds)
            maxSubAgents = try container.decodeIntegerIfPresent(forKey: .maxSubAgents)
            concurrency = try container.decodeIntegerIfPresent(forKey: .concurrency)
            maxToolCalls = try container.decodeIntegerIfPresent(forKey: .maxToolCalls)
        }
    }

    var task: String
    var swarm: String?
    var graph: TaskGraph?
    var budgets: Budgets?
    var onFailure: FailurePolicy?

    enum CodingKeys: String, CodingKey {
        case task, swarm, graph, budgets
        case onFailure = "on_failure"
    }

    /// The engine's spec, checked: an unknown swarm, an invalid graph and impossible limits
    /// are 422s that name the field.
    func spec(library: TemplateLibrary) throws -> RunSpec {
        guard !task.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError.unprocessable("`task` is empty", hint: "Say what the swarm should do.", param: "task")
        }
        guard task.utf8.count <= Self.maxTaskBytes else {
            throw APIError.unprocessable("`task` is longer than 100,000 bytes", hint: "Shorten the task.", param: "task")
        }
        if swarm != nil && graph != nil {
            throw APIError.unprocessable("`swarm` and `graph` are both given", hint: "Give one, or neither to let the planner decide.")
        }
        var source = RunSpec.Source.planner
        if let swarm {
            guard library.swarms[swarm] != nil else {
                throw APIError.unprocessable(
                    "unknown swarm `\(swarm)`", hint: "Use one of: \(library.swarms.keys.sorted().joined(separator: ", ")).", param: "swarm")
            }
            source = .swarm(swarm)
        }
        var limits = RunLimits()
        if let budgets {
            limits.maxCostUSD = budgets.maxCostUSD
            limits.maxTokens = budgets.maxTokens
            limits.maxWallSeconds = budgets.maxWallSeconds
            if let value = budgets.maxSubAgents { limits.maxSubAgents = value }
            if let value = budgets.concurrency { limits.concurrency = value }
            if let value = budgets.maxToolCalls { limits.maxToolCalls = value }
        }
        if let onFailure { limits.failurePolicy = onFailure }
        if let problem = limits.fieldProblems.first {
            let field = "budgets.\(problem.field)"
            throw APIError.unprocessable("`\(field)` \(problem.message)", hint: "Fix `\(field)`.", param: field)
        }
        if let graph {
            // The engine refuses a graph larger than the run's sub-agents: so does the API, at once.
            let validator = GraphValidator(knownTemplates: Set(library.templates.keys), maxTasks: limits.maxSubAgents)
            let problems = validator.problems(in: graph)
            if !problems.isEmpty {
                throw APIError.unprocessable("the graph is invalid: \(problems.prefix(5).joined(separator: "; "))", hint: "Fix the tasks named.", param: "graph")
            }
            source = .graph(graph)
        }
        return RunSpec(task: task, source: source, limits: limits)
    }
}

/// Any key, to list the keys of a container.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}
