public import Foundation

/// One finished step of a run: an LLM call, a tool call, the plan or the synthesis, with
/// its result and what it cost. Written before the result is used, so a restarted run
/// replays it instead of paying for it again.
public struct JournalEntry: Codable, Sendable, Hashable {
    /// What kind of step this is.
    public struct Kind: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The run's specification (task, graph, budgets): the first entry of every run.
        public static let run = Kind(rawValue: "run")
        /// The plan (graph of sub-tasks).
        public static let plan = Kind(rawValue: "plan")
        /// A model call.
        public static let llm = Kind(rawValue: "llm")
        /// A tool call.
        public static let tool = Kind(rawValue: "tool")
        /// A finished sub-task (its final answer).
        public static let subtask = Kind(rawValue: "subtask")
        /// The final synthesis.
        public static let synthesis = Kind(rawValue: "synthesis")
        public var description: String { rawValue }
        public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }
    }

    /// The run.
    public var runID: String
    /// The step's deterministic id within the run (the same on every replay).
    public var stepID: String
    /// The kind of step.
    public var kind: Kind
    /// The step's result as JSON text.
    public var payload: String
    /// Tokens the step used (zero for steps that call no model).
    public var usage: Usage
    /// What the step cost in US dollars, exactly.
    public var costUSD: Decimal
    /// When the step finished.
    public var recordedAt: Date

    /// Creates an entry.
    public init(
        runID: String, stepID: String, kind: Kind, payload: String, usage: Usage = .zero, costUSD: Decimal = 0,
        recordedAt: Date = Date()
    ) {
        self.runID = runID
        self.stepID = stepID
        self.kind = kind
        self.payload = payload
        self.usage = usage
        self.costUSD = costUSD
        self.recordedAt = recordedAt
    }
}

/// Where a run's finished steps are kept: in memory, a SQLite file, or the platform's store.
///
/// Steps are keyed by `(runID, stepID)` and never change once written: recording a step that
/// is already there keeps the first record and returns it, so two writers racing on one step
/// agree on its result.
public protocol RunJournal: Sendable {
    /// Writes a finished step unless one with its id is there; returns the stored entry.
    @discardableResult
    func record(_ entry: JournalEntry) async throws -> JournalEntry

    /// The stored step, or `nil`.
    func entry(runID: String, stepID: String) async throws -> JournalEntry?

    /// Every step of a run, in the order they were recorded.
    func entries(runID: String) async throws -> [JournalEntry]
}
