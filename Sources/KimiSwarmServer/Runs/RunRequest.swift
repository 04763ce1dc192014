import Foundation
import KimiSwarmCore
import KimiSwarmPlatform
import KimiSwarmEngine

/// The body of `POST /api/v1/runs`: a task, where its plan comes from (the planner, a
/// ready-made swarm, or a graph), and budgets.
struct RunRequest: Decodable, Sendable {
    static let allowedKeys: Set<String> = ["task", "swarm", "graph", "budgets", "on_failure"]
    /// The longest task, in bytes of UTF-8 (the run service's check).
    static let maxTaskBytes = RunSpecValidation.maxTaskBytes

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

    /// The engine's spec as asked for, from `defaults` (the service's default limits) and the
    /// given budgets. The run service checks it (``RunService/submit``); only the request's own
    /// shape is checked here: `swarm` and `graph` together are a 422.
    func spec(defaults: RunLimits) throws -> RunSpec {
        if swarm != nil && graph != nil {
            throw APIError.unprocessable("`swarm` and `graph` are both given", hint: "Give one, or neither to let the planner decide.")
        }
        var source = RunSpec.Source.planner
        if let swarm { source = .swarm(swarm) }
        if let graph { source = .graph(graph) }
        var limits = defaults
        if let budgets {
            limits.maxCostUSD = budgets.maxCostUSD
            limits.maxTokens = budgets.maxTokens
            limits.maxWallSeconds = budgets.maxWallSeconds
            if let value = budgets.maxSubAgents { limits.maxSubAgents = value }
            if let value = budgets.concurrency { limits.concurrency = value }
            if let value = budgets.maxToolCalls { limits.maxToolCalls = value }
        }
        if let onFailure { limits.failurePolicy = onFailure }
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
