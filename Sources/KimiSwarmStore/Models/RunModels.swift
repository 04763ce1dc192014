public import Foundation

/// The lifecycle of a run.
public enum RunStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case queued, running, succeeded, failed, cancelled
}

/// A run as stored: task, graph, budgets, status, result and totals.
public struct RunRecord: Sendable, Hashable, Codable {
    public var tenantID: String
    public var id: String
    public var templateID: String?
    public var createdBy: String?
    public var task: String
    /// The plan graph as JSON text, once planned.
    public var graph: String?
    /// The budgets as JSON text.
    public var budgets: String?
    public var status: RunStatus
    public var result: String?
    public var promptTokens: Int
    public var completionTokens: Int
    public var costUSD: Decimal
    public var createdAt: Date
    public var updatedAt: Date
    public var finishedAt: Date?
}

/// One event of a run, ordered by `seq` within the run.
public struct RunEvent: Sendable, Hashable, Codable {
    public var tenantID: String
    public var runID: String
    public var seq: Int
    public var type: String
    /// The event as JSON text.
    public var data: String
    public var createdAt: Date
}
