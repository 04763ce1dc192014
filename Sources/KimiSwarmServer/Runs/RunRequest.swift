import Foundation
import KimiSwarmCore
import KimiSwarmEngine

/// The body of `POST /api/v1/runs`: a task, where its plan comes from (the planner, a
/// ready-made swarm, or a graph), and budgets.
struct RunRequest: Decodable, Sendable {
    static let allowedKeys: Set<String> = ["task", "swarm", "graph", "budgets", "on_failure"]

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
            if let text = try? container.decodeIfPresent(String.self, forKey: .maxCostUSD) {
                guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
                    throw APIError.invalidRequest("`budgets.max_cost_usd` is not a number", hint: "Use a decimal such as \"1.50\".", param: "budgets.max_cost_usd")
                }
                maxCostUSD = value
            } else {
                maxCostUSD = try container.decodeIfPresent(Decimal.self, forKey: .maxCostUSD)
            }
            maxTokens = try container.decodeIfPresent(Int.self, forKey: .maxTokens)
            maxWallSeconds = try container.decodeIfPresent(Double.self, forKey: .maxWallSeconds)
            maxSubAgents = try container.decodeIfPresent(Int.self, forKey: .maxSubAgents)
            concurrency = try container.decodeIfPresent(Int.self, forKey: .concurrency)
            maxToolCalls = try container.decodeIfPresent(Int.self, forKey: .maxToolCalls)
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
        guard task.utf8.count <= 100_000 else {
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
        if let graph {
            let validator = GraphValidator(knownTemplates: Set(library.templates.keys), maxTasks: 256)
            let problems = validator.problems(in: graph)
            if !problems.isEmpty {
                throw APIError.unprocessable("the graph is invalid: \(problems.prefix(5).joined(separator: "; "))", hint: "Fix the tasks named.", param: "graph")
            }
            source = .graph(graph)
        }
        var limits = RunLimits()
        if let budgets {
            limits.maxCostUSD = budgets.maxCostUSD
            limits.maxTokens = budgets.maxTokens
            limits.maxWallSeconds = budgets.maxWallSeconds
            if let value = budgets.maxSubAgents { limits.maxSubAgents = value }
            if let value = budgets.concurrency { limits.concurrency = min(value, 256) }
            if let value = budgets.maxToolCalls { limits.maxToolCalls = value }
        }
        if let onFailure { limits.failurePolicy = onFailure }
        let problems = limits.problems
        if !problems.isEmpty {
            throw APIError.unprocessable("invalid budgets: \(problems.joined(separator: "; "))", hint: "Fix the budgets named.", param: "budgets")
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
