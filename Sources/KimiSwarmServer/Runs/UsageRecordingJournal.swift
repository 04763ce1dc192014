import Foundation
import KimiSwarmCore
import KimiSwarmStore
import Logging

/// The store's journal for one run, which also writes each new model call to the tenant's
/// usage ledger (and its rollups), so run costs show in usage like gateway calls. A replayed
/// step is already in the journal and is not billed again.
struct UsageRecordingJournal: RunJournal {
    let inner: StoreRunJournal
    let store: SwarmStore
    let tenantID: String
    let runID: String
    let userID: String?
    let apiKeyID: String?
    /// The run's swarm (or `planner`/`graph`), which usage is grouped by as its template.
    let templateID: String?
    let defaultProvider: ProviderID
    let onRecorded: @Sendable (UsageRecord) -> Void
    let logger: Logger

    func record(_ entry: JournalEntry) async throws -> JournalEntry {
        let stored = try await inner.record(entry)
        // The store keeps whole milliseconds: the entry is ours when it is the one just written.
        guard entry.kind == .llm, stored.payload == entry.payload,
            abs(stored.recordedAt.timeIntervalSince(entry.recordedAt)) < 0.002
        else { return stored }
        var provider = defaultProvider.rawValue
        var model = "unknown"
        if let response = try? JSONDecoder().decode(ChatResponse.self, from: Data(entry.payload.utf8)) {
            provider = response.provider.rawValue
            model = response.model
        }
        let record = UsageRecord(
            tenantID: tenantID, userID: userID, apiKeyID: apiKeyID, runID: runID, templateID: templateID, provider: provider, model: model,
            usage: entry.usage, costUSD: entry.costUSD, latencyMilliseconds: 0)
        do {
            try await store.usage.recordUsage(tenantID: tenantID, record)
            onRecorded(record)
        } catch {
            logger.warning("could not record a run's model call in the usage ledger", metadata: ["run_id": "\(runID)"])
        }
        return stored
    }

    func entry(runID: String, stepID: String) async throws -> JournalEntry? {
        try await inner.entry(runID: runID, stepID: stepID)
    }

    func entries(runID: String) async throws -> [JournalEntry] {
        try await inner.entries(runID: runID)
    }
}
