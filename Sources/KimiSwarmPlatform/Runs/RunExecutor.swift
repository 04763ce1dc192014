import Foundation
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmEngine
public import KimiSwarmStore
package import Logging

/// Executes run jobs claimed by a queue worker: builds the engine on the store's journal,
/// stores every engine event (numbered per run, for SSE replay) and wakes live readers,
/// watches for a cancel request, and writes the outcome. A job that is picked up again after
/// a crash resumes from the journal: finished steps are replayed, not paid again.
public struct RunExecutor: Sendable {
    package let store: SwarmStore
    package let factory: RunEngineFactory
    package let hub: RunEventHub
    package let clients: TenantClients?
    package let metrics: TenantUsageMetrics?
    /// Records every model call of every run (the usage ledger, metrics, quota totals).
    package let meter: UsageMeter?
    /// The runs executing here, so that a cancel reaches them at once (``RunCancellations``).
    package let cancellations: RunCancellations
    /// The safety net under pushed cancels: how often a running run reads its cancel flag
    /// anyway (a notification lost while the listener reconnects; on SQLite, a cancel stored
    /// by another process, which nothing notifies).
    package let cancelCheckInterval: Duration
    package let logger: Logger
    /// The tenants' quotas: checked when a run is claimed, and shared by every model call of
    /// every run (``TenantSpendGate``).
    package let quotas: QuotaEnforcer?

    package init(
        store: SwarmStore, factory: RunEngineFactory, hub: RunEventHub, clients: TenantClients?, metrics: TenantUsageMetrics?,
        quotas: QuotaEnforcer?, cancellations: RunCancellations = RunCancellations(), cancelCheckInterval: Duration = .seconds(5),
        logger: Logger, meter: UsageMeter?
    ) {
        self.store = store
        self.factory = factory
        self.hub = hub
        self.clients = clients
        self.metrics = metrics
        self.quotas = quotas
        self.cancellations = cancellations
        self.cancelCheckInterval = cancelCheckInterval
        self.logger = logger
        self.meter = meter
    }

    /// The queue worker's handler.
    public func handle(_ claimed: ClaimedJob) async throws -> JobOutcome {
        guard claimed.job.kind == RunJobPayload.kind,
            let payload = try? JSONDecoder().decode(RunJobPayload.self, from: Data(claimed.job.payload.utf8))
        else {
            return .failed(message: "not a run job", retryable: false)
        }
        var logger = self.logger
        logger[metadataKey: "run_id"] = .string(payload.runID)
        logger[metadataKey: "tenant_id"] = .string(payload.tenantID)
        guard let run = try await store.runs.run(tenantID: payload.tenantID, runID: payload.runID) else {
            return .failed(message: "the run no longer exists", retryable: false)
        }
        guard run.status == .queued || run.status == .running else { return .completed }
        guard let specText = run.spec, let spec = try? JSONDecoder().decode(RunSpec.self, from: Data(specText.utf8)) else {
            try await finish(run, status: .failed, result: nil, error: "the run's specification is unreadable")
            return .failed(message: "unreadable run spec", retryable: false)
        }
        // What is read back from the database is checked like a request: a spec stored by an
        // older version (or written by hand) with limits out of range fails, it never runs.
        if !spec.limits.problems.isEmpty {
            let message = "the run's stored limits are out of range: " + spec.limits.problems.joined(separator: "; ")
            try await finish(run, status: .failed, result: nil, error: message)
            return .failed(message: message, retryable: false)
        }
        // The tenant's budget is checked again as the run starts (or resumes): runs admitted
        // together may have spent it since.
        if let quotas {
            do {
                try await quotas.checkBudgets(tenantID: run.tenantID)
            } catch let refusal as PlatformError where refusal.type == "quota_exceeded" {
                let message = "the run did not start: \(refusal.message). \(refusal.hint ?? "") Resume it once there is budget again."
                try await finish(run, status: .failed, result: nil, error: message)
                return .failed(message: message, retryable: false)
            }
        }
        // Watched before it is marked running, so no cancel falls between the two.
        cancellations.register(tenantID: run.tenantID, runID: run.id)
        defer { cancellations.unregister(tenantID: run.tenantID, runID: run.id) }
        guard try await store.runs.markRunning(tenantID: run.tenantID, runID: run.id) else { return .completed }
        hub.signal(tenantID: run.tenantID, runID: run.id)

        let library = try await factory.library(tenantID: run.tenantID, store: store)
        let client = try await clients?.client(for: run.tenantID)
        // Each model call the run makes is handed to the meter with its run, step and agent.
        let attribution = UsageAttribution(
            tenantID: run.tenantID, userID: run.createdBy, apiKeyID: run.apiKeyID, runID: run.id, templateID: run.templateID)
        var engine = factory.engine(
            journal: store.journal(tenantID: run.tenantID), library: library, client: client, tenantID: run.tenantID,
            meter: meter.map { RunCallMeter(meter: $0, attribution: attribution) })
        engine.sharedBudget = quotas.map { TenantSpendGate(quotas: $0, tenantID: run.tenantID) }
        let swarmRun = engine.makeRun(spec, runID: run.id)
        logger.info("run started")
        // Events are stored by their own task until the run's stream ends, so cancelling the
        // run never drops its last events. Token deltas are merged first. A resumed run does not
        // announce again what its stored stream already says. The engine's `finished` is held
        // back: it is stored only if this execution is the run's end (not on shutdown).
        let filter = try await ResumedEventFilter.load(store: store, tenantID: run.tenantID, runID: run.id)
        async let eventsStored: KimiSwarmEngine.RunEvent? = {
            var coalescer = TokenDeltaCoalescer()
            var finished: KimiSwarmEngine.RunEvent?
            for await envelope in swarmRun.events where filter.admits(envelope.event) {
                if case .finished = envelope.event {
                    finished = envelope.event
                    continue
                }
                for event in coalescer.add(envelope.event, now: self.factory.clock.now()) { await self.store(event, of: run, logger: logger) }
            }
            for event in coalescer.flushAll() { await self.store(event, of: run, logger: logger) }
            return finished
        }()
        let outcome: RunResult? = await withTaskGroup(of: RunResult?.self) { group in
            group.addTask { await swarmRun.run() }
            group.addTask {
                await watchForCancel(run)
                return nil
            }
            while let value = await group.next() {
                if let value {
                    group.cancelAll()
                    return value
                }
                // The watcher returned: a cancel was requested (or we are shutting down); the run
                // stops and its result comes next.
                group.cancelAll()
            }
            return nil
        }
        let finishedEvent = await eventsStored
        // The run's usage is in the ledger before the run reads as finished.
        await meter?.flush()
        if Task.isCancelled {
            // Graceful shutdown (or a lost lease): the lease is released and another worker
            // resumes the run, so its stream does not end here.
            logger.info("run interrupted by shutdown; it resumes elsewhere")
            throw CancellationError()
        }
        guard let outcome else { return .completed }
        let cancelled = (try? await store.runs.isCancelRequested(tenantID: run.tenantID, runID: run.id)) == true
        let status: RunStatus
        switch outcome.status {
        case .completed: status = .succeeded
        // Stopped by a limit, or some sub-tasks failed: an answer from part of the work.
        case .partial: status = cancelled ? .cancelled : .partial
        case .failed: status = cancelled ? .cancelled : .failed
        case .cancelled: status = .cancelled
        }
        if let finishedEvent { await store(finishedEvent, of: run, logger: logger) }
        try await finish(run, status: status, result: outcome, error: outcome.error)
        logger.info("run finished", metadata: ["status": "\(status.rawValue)"])
        metrics?.runFinished(status: status.rawValue)
        return .completed
    }

    /// Returns when the run is to stop: cancelled in this process, or its cancel flag is set
    /// (read when the store notifies a change of the run, and every `cancelCheckInterval`).
    /// Returns at once when the task is cancelled.
    private func watchForCancel(_ run: RunRecord) async {
        var check = true
        while !Task.isCancelled {
            if check, (try? await store.runs.isCancelRequested(tenantID: run.tenantID, runID: run.id)) == true { return }
            switch await cancellations.wait(tenantID: run.tenantID, runID: run.id, timeout: cancelCheckInterval) {
            case .cancelled, nil: return
            case .changed, .timedOut: check = true
            }
        }
    }

    /// The queue worker's dead-letter handler: a run whose job went to `dead` (its worker
    /// crashed, was killed or stalled on every attempt, or it failed on its last one) is marked
    /// failed with the reason, so its stored state says what happened and nobody waits on it.
    /// Resuming it queues a new job.
    public func deadLettered(_ job: Job) async {
        guard job.kind == RunJobPayload.kind,
            let payload = try? JSONDecoder().decode(RunJobPayload.self, from: Data(job.payload.utf8)),
            let run = try? await store.runs.run(tenantID: payload.tenantID, runID: payload.runID),
            run.status == .queued || run.status == .running
        else { return }
        let reason =
            job.lastError == nil || job.lastError == "lease expired on the last attempt"
            ? "the run was started \(job.attempts) times and its worker stopped each time (a crash, a kill or a stall); it is not started again"
            : "the run failed on its last attempt: \(job.lastError ?? "")"
        do {
            try await finish(run, status: .failed, result: nil, error: reason + ". Resume it to try once more.")
            metrics?.runFinished(status: RunStatus.failed.rawValue)
            logger.warning("run failed: its job was dead-lettered", metadata: ["run_id": "\(run.id)", "tenant_id": "\(run.tenantID)"])
        } catch {
            logger.warning("could not mark a dead-lettered run failed", metadata: ["run_id": "\(run.id)", "error": "\(error)"])
        }
    }

    private func store(_ event: KimiSwarmEngine.RunEvent, of run: RunRecord, logger: Logger) async {
        let payload = RunEventPayload(event)
        do {
            try await store.events.appendEvent(tenantID: run.tenantID, runID: run.id, type: payload.type, data: payload.encoded())
            hub.signal(tenantID: run.tenantID, runID: run.id)
        } catch {
            logger.warning("could not store a run event", metadata: ["type": "\(payload.type)"])
        }
    }

    private func finish(_ run: RunRecord, status: RunStatus, result: RunResult?, error: String?) async throws {
        var resultText: String?
        var graphText: String?
        if let result {
            resultText = String(decoding: try JSONEncoder.sorted.encode(result), as: UTF8.self)
            if let graph = result.graph { graphText = String(decoding: try JSONEncoder.sorted.encode(graph), as: UTF8.self) }
        } else if let error {
            resultText = String(decoding: try JSONEncoder.sorted.encode(["error": error]), as: UTF8.self)
        }
        if result == nil {
            // No engine result (cancelled while queued, an unreadable spec, a dead-lettered job):
            // the event stream still ends with a `finished` event that says why. Stored before
            // the final status, so a reader that sees the status has every event.
            let payload = RunEventPayload.finished(.init(status: status.rawValue, error: error))
            _ = try? await store.events.appendEvent(tenantID: run.tenantID, runID: run.id, type: payload.type, data: payload.encoded())
        }
        try await store.runs.finishRun(
            tenantID: run.tenantID, runID: run.id, status: status, result: resultText, graph: graphText,
            usage: result?.usage ?? .zero, costUSD: result?.costUSD ?? 0)
        hub.signal(tenantID: run.tenantID, runID: run.id)
    }
}
