import Foundation
package import KimiSwarmCore
public import KimiSwarmEngine
package import KimiSwarmStore

/// What the platform does with runs, for every surface (REST, the dashboard, `swarm worker`):
/// submit (one validation, the engine's limits: ``RunSpecValidation``), estimate, read, cancel
/// (pushed to the run wherever it executes) and resume. Execution is the ``executor``'s, the
/// queue handler the workers run.
public struct RunService: Sendable {
    package let store: SwarmStore
    package let factory: RunEngineFactory
    package let hub: RunEventHub
    package let cancellations: RunCancellations
    package let admission: RunAdmission
    /// The limits of a run that sets none of its own: the engine's defaults, with the
    /// sub-agents at once of `swarm.concurrency`.
    public let defaultLimits: RunLimits

    package init(
        store: SwarmStore, factory: RunEngineFactory, hub: RunEventHub, cancellations: RunCancellations, admission: RunAdmission,
        defaultLimits: RunLimits = RunLimits()
    ) {
        self.store = store
        self.factory = factory
        self.hub = hub
        self.cancellations = cancellations
        self.admission = admission
        self.defaultLimits = defaultLimits
    }

    /// What ``submit(_:principal:library:idempotencyKey:requestHash:)`` did.
    package enum Submitted: Sendable {
        /// A new run, queued, with the estimate it was admitted with.
        case created(RunRecord, RunEstimate)
        /// The run submitted earlier under the same idempotency key and body.
        case replayed(RunRecord)
    }

    /// The reader of runs' live events, for every stream transport.
    package var eventReader: RunEventReader { RunEventReader(store: store, hub: hub) }

    /// What runs read the time from (the engine factory's clock).
    package var clock: any SwarmClock { factory.clock }

    /// The templates and swarms a tenant's runs may use.
    package func library(tenantID: String) async throws -> TemplateLibrary {
        try await factory.library(tenantID: tenantID, store: store)
    }

    /// A run of the principal's tenant; another tenant's answers like a missing one.
    package func run(_ principal: Principal, id: String) async throws -> RunRecord {
        guard let run = try await store.runs.run(tenantID: principal.tenantID, runID: id) else { throw PlatformError.notFound("run") }
        return run
    }

    /// Checks, admits and queues a run in one transaction. With an idempotency key seen before,
    /// the earlier run comes back (the same body) or the request is refused (another body).
    package func submit(
        _ requested: RunSpec, principal: Principal, library: TemplateLibrary, idempotencyKey: String?, requestHash: String
    ) async throws -> Submitted {
        try RunSpecValidation.checkRequest(requested)
        if let idempotencyKey, let existing = try await store.runs.run(tenantID: principal.tenantID, idempotencyKey: idempotencyKey) {
            return .replayed(try Self.replay(existing, requestHash: requestHash))
        }
        let (spec, estimate) = try await admission.admit(requested, principal: principal, library: library)
        let id = SwarmEngine.newRunID(at: clock.date())
        let submission = RunSubmission(
            tenantID: principal.tenantID, id: id, task: spec.task, templateID: Self.templateID(of: spec), createdBy: principal.userID,
            apiKeyID: principal.apiKeyID, spec: String(decoding: try JSONEncoder.sorted.encode(spec), as: UTF8.self),
            budgets: String(decoding: try JSONEncoder.sorted.encode(RunBudgets(spec.limits)), as: UTF8.self),
            idempotencyKey: idempotencyKey, requestHash: idempotencyKey == nil ? nil : requestHash,
            jobPayload: RunJobPayload(tenantID: principal.tenantID, runID: id).text, queue: RunJobPayload.queue)
        switch try await store.runs.submit(submission) {
        case .created(let run): return .created(run, estimate)
        case .existing(let run), .idempotencyConflict(let run): return .replayed(try Self.replay(run, requestHash: requestHash))
        }
    }

    /// The cost estimate of a run as it would be admitted (checked like a submission).
    package func estimate(_ requested: RunSpec, principal: Principal, library: TemplateLibrary) async throws -> RunEstimate {
        try await admission.estimate(requested, principal: principal, library: library)
    }

    /// Cancels a run: a queued one at once; a running one is told to stop wherever it
    /// executes (in this process directly, on other replicas through the store's notification).
    package func cancel(_ principal: Principal, id: String) async throws -> RunRecord {
        switch try await store.runs.requestCancel(tenantID: principal.tenantID, runID: id) {
        case .notFound:
            throw PlatformError.notFound("run")
        case .alreadyFinished(let run):
            throw PlatformError.conflict("the run already ended (\(run.status.rawValue))", hint: "Nothing to cancel.")
        case .cancelledQueued(let run):
            hub.signal(tenantID: principal.tenantID, runID: id)
            return run
        case .cancelRequested(let run):
            cancellations.cancel(tenantID: principal.tenantID, runID: id)
            hub.signal(tenantID: principal.tenantID, runID: id)
            return run
        }
    }

    /// Queues a failed or cancelled run again; its journal makes it skip the work already paid for.
    package func resume(_ principal: Principal, id: String) async throws -> RunRecord {
        let payload = RunJobPayload(tenantID: principal.tenantID, runID: id).text
        switch try await store.runs.prepareResume(tenantID: principal.tenantID, runID: id, jobPayload: payload) {
        case .notFound:
            throw PlatformError.notFound("run")
        case .notResumable(let run):
            throw PlatformError.conflict(
                "a \(run.status.rawValue) run cannot be resumed", hint: "Only failed or cancelled runs resume; finished steps are not paid again.")
        case .resumed(let run):
            hub.signal(tenantID: principal.tenantID, runID: id)
            return run
        }
    }

    /// A page of the tenant's runs, newest first, and the cursor of the next page.
    package func list(_ principal: Principal, filter: RunFilter, after cursor: RunCursor?, limit: Int) async throws -> ([RunRecord], String?) {
        let runs = try await store.runs.listRuns(tenantID: principal.tenantID, filter: filter, after: cursor, limit: limit + 1)
        let page = Array(runs.prefix(limit))
        let next = runs.count > limit ? page.last.map { RunCursor(createdAt: $0.createdAt, id: $0.id).encoded } : nil
        return (page, next)
    }

    /// The result of a finished run; a run still going is a conflict.
    package func result(_ principal: Principal, id: String) async throws -> (RunRecord, RunResult?) {
        let run = try await run(principal, id: id)
        guard run.status.isFinal else {
            throw PlatformError.conflict(
                "the run is \(run.status.rawValue); it has no result yet", hint: "Watch GET /api/v1/runs/\(run.id)/events, then ask again.")
        }
        return (run, run.result.flatMap { try? JSONDecoder().decode(RunResult.self, from: Data($0.utf8)) })
    }

    private static func replay(_ run: RunRecord, requestHash: String) throws -> RunRecord {
        guard run.requestHash == nil || run.requestHash == requestHash else {
            throw PlatformError.unprocessable(
                "this Idempotency-Key was used with a different request body",
                hint: "Use a new key for a different run, or send exactly the same body to get the first run back.")
        }
        return run
    }

    /// What runs and their usage are grouped by as their "template": the ready-made swarm's
    /// id, or `planner` / `graph` for the other sources.
    package static func templateID(of spec: RunSpec) -> String {
        switch spec.source {
        case .planner: return "planner"
        case .swarm(let id): return id
        case .graph: return "graph"
        }
    }
}

/// A run's budgets as stored and shown (`budgets` of a run); money as a decimal string.
package struct RunBudgets: Codable, Sendable, Hashable {
    var maxSubAgents: Int
    var concurrency: Int
    var maxToolCalls: Int
    var onFailure: String
    var maxCostUSD: String?
    var maxTokens: Int?
    var maxWallSeconds: Double?

    enum CodingKeys: String, CodingKey {
        case concurrency
        case maxSubAgents = "max_sub_agents"
        case maxToolCalls = "max_tool_calls"
        case onFailure = "on_failure"
        case maxCostUSD = "max_cost_usd"
        case maxTokens = "max_tokens"
        case maxWallSeconds = "max_wall_seconds"
    }

    package init(_ limits: RunLimits) {
        maxSubAgents = limits.maxSubAgents
        concurrency = limits.concurrency
        maxToolCalls = limits.maxToolCalls
        onFailure = limits.failurePolicy.rawValue
        maxCostUSD = limits.maxCostUSD.map { "\($0)" }
        maxTokens = limits.maxTokens
        maxWallSeconds = limits.maxWallSeconds
    }
}
