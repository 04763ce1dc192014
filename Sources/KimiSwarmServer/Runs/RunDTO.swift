import Foundation
import KimiSwarmCore
import KimiSwarmEngine
import KimiSwarmPlatform
import KimiSwarmStore

/// A run as the API shows it.
struct RunDTO: Encodable, Sendable {
    var id: String
    var status: String
    var task: String
    var source: String
    var swarm: String?
    var budgets: JSONFragment?
    var createdBy: String?
    var apiKeyID: String?
    var promptTokens: Int
    var completionTokens: Int
    var totalTokens: Int
    var costUSD: String
    var cancelRequested: Bool
    var createdAt: Date
    var updatedAt: Date
    var finishedAt: Date?
    var links: [String: String]

    enum CodingKeys: String, CodingKey {
        case id, status, task, source, swarm, budgets, links
        case createdBy = "created_by"
        case apiKeyID = "api_key_id"
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
        case costUSD = "cost_usd"
        case cancelRequested = "cancel_requested"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case finishedAt = "finished_at"
    }

    init(_ run: RunRecord) {
        id = run.id
        status = run.status.rawValue
        task = run.task
        (source, swarm) = Self.source(of: run.spec)
        budgets = run.budgets.map(JSONFragment.init)
        createdBy = run.createdBy
        apiKeyID = run.apiKeyID
        promptTokens = run.promptTokens
        completionTokens = run.completionTokens
        totalTokens = run.promptTokens + run.completionTokens
        costUSD = "\(run.costUSD)"
        cancelRequested = run.cancelRequestedAt != nil
        createdAt = run.createdAt
        updatedAt = run.updatedAt
        finishedAt = run.finishedAt
        let base = "/api/v1/runs/\(run.id)"
        links = ["self": base, "events": base + "/events", "result": base + "/result", "websocket": base + "/ws"]
    }

    static func source(of spec: String?) -> (String, String?) {
        guard let spec, let source = (try? JSONValue(parsing: spec))?["source"], source.objectValue != nil else { return ("planner", nil) }
        if let id = source["swarm"]?["_0"]?.stringValue { return ("swarm", id) }
        if source["graph"] != nil { return ("graph", nil) }
        return ("planner", nil)
    }
}

/// JSON text stored in a column, sent as JSON (not as a string).
struct JSONFragment: Encodable, Sendable {
    let text: String

    init(_ text: String) { self.text = text }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) {
            try container.encode(value)
        } else {
            try container.encodeNil()
        }
    }
}

/// A run's cost estimate as the API shows it (decimals as strings).
struct RunEstimateDTO: Encodable, Sendable {
    var agents: Int
    var expectedCalls: Int
    var maximumCalls: Int
    var expectedCostUSD: String
    var maximumCostUSD: String
    var pricesKnown: Bool

    init(_ estimate: RunEstimate) {
        agents = estimate.agents
        expectedCalls = estimate.expectedCalls
        maximumCalls = estimate.maximumCalls
        expectedCostUSD = "\(estimate.expectedCostUSD)"
        maximumCostUSD = "\(estimate.maximumCostUSD)"
        pricesKnown = estimate.pricesKnown
    }

    enum CodingKeys: String, CodingKey {
        case agents
        case expectedCalls = "expected_calls"
        case maximumCalls = "maximum_calls"
        case expectedCostUSD = "expected_cost_usd"
        case maximumCostUSD = "maximum_cost_usd"
        case pricesKnown = "prices_known"
    }
}

/// The answer to a new run: the run, and the estimate it was admitted with.
struct CreatedRunDTO: Encodable, Sendable {
    var run: RunDTO
    var estimate: RunEstimateDTO

    enum CodingKeys: String, CodingKey { case estimate }

    func encode(to encoder: any Encoder) throws {
        try run.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(estimate, forKey: .estimate)
    }
}
