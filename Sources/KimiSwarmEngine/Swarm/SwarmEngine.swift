public import Foundation
public import KimiSwarmCore
public import Logging

/// The swarm engine: runs tasks as graphs of sub-agents on a chat model, journaling every
/// step. It knows the model and the journal only through Core's protocols.
public struct SwarmEngine: Sendable {
    /// The model every call goes to (the production client, a router, or a test double).
    public var model: any ChatModel
    /// Where finished steps are kept.
    public var journal: any RunJournal
    /// Templates and ready-made swarms.
    public var library: TemplateLibrary
    /// Tools by name (`delegate` is the engine's own and needs no entry).
    public var tools: [String: any Tool]
    /// Which model serves each tier.
    public var tiers: ModelTierMap
    /// Prices for the budget.
    public var pricing: CallPricing
    /// Whether model calls stream (token deltas become events).
    public var streaming: Bool
    /// A budget beyond each run that every model call also reserves in (the platform passes
    /// the tenant's quota); `nil` for none.
    public var sharedBudget: (any SharedBudget)?
    /// The logger; runs add `run_id` metadata.
    public var logger: Logger
    /// What runs time themselves with (wall-time limits, timings, event dates).
    public var clock: any SwarmClock

    /// Creates an engine. `tools` defaults to `current_time` only; add `HTTPGetTool` (and
    /// your own) explicitly.
    public init(
        model: any ChatModel, journal: any RunJournal, library: TemplateLibrary, tools: [any Tool] = [CurrentTimeTool()],
        tiers: ModelTierMap = ModelTierMap(), pricing: CallPricing = .free, streaming: Bool = true,
        logger: Logger = Logger(label: "kimiswarm.engine", factory: { _ in SwiftLogNoOpLogHandler() }), clock: any SwarmClock = SystemClock()
    ) {
        self.model = model
        self.journal = journal
        self.library = library
        self.tools = Dictionary(tools.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        self.tiers = tiers
        self.pricing = pricing
        self.streaming = streaming
        self.sharedBudget = nil
        self.logger = logger
        self.clock = clock
    }

    /// A new run of `spec`. Start it with ``SwarmRun/run()`` and read ``SwarmRun/events``.
    public func makeRun(_ spec: RunSpec, runID: String? = nil) -> SwarmRun {
        SwarmRun(id: runID ?? Self.newRunID(at: clock.date()), spec: spec, engine: self)
    }

    /// The run `runID` again, from its journaled specification: finished steps are replayed,
    /// not paid again.
    public func resume(runID: String) async throws -> SwarmRun {
        guard let entry = try await journal.entry(runID: runID, stepID: SwarmRun.specStep) else {
            throw KimiSwarmError.invalidRequest(
                "no run \(runID) in the journal", hint: "Check the id (`swarm run` prints it first) and the data directory.")
        }
        let spec = try JSONDecoder().decode(RunSpec.self, from: Data(entry.payload.utf8))
        return SwarmRun(id: runID, spec: spec, engine: self)
    }

    /// A fresh, sortable run id: `run_` + time + random.
    public static func newRunID(at date: Date = SystemClock().date()) -> String {
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        let random = (0..<6).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement() ?? "0" }
        return "run_" + String(millis, radix: 36) + String(random)
    }

    /// The graph a spec runs, when known without a planning call.
    public func fixedGraph(for spec: RunSpec) throws -> TaskGraph? {
        switch spec.source {
        case .planner: return nil
        case .graph(let graph): return graph
        case .swarm(let id):
            guard let swarm = library.swarms[id] else {
                let known = library.swarms.keys.sorted().joined(separator: ", ")
                throw KimiSwarmError.invalidRequest("unknown swarm \"\(id)\"", hint: "Use one of: \(known).")
            }
            return swarm.graph
        }
    }
}
