import Foundation
package import KimiSwarmCore
package import KimiSwarmStore
package import Logging

/// The store's journal for one run, which also writes each new model call to the tenant's
/// usage ledger (and its rollups), so run costs show in usage like gateway calls. A replayed
/// step is already in the journal and is not billed again.
package struct UsageRecordingJournal: RunJournal {
    package let inner: StoreRunJournal
    package let store: SwarmStore
    package let tenantID: String
    package let runID: String
    package let userID: String?
    package let apiKeyID: String?
    /// The run's swarm (or `planner`/`graph`), which usage is grouped by as its template.
    package let templateID: String?
    package let defaultProvider: ProviderID
    package let onRecorded: @Sendable (UsageRecord) -> Void
    package let logger: Logger

    package func record(_ entry: JournalEntry) async throws -> JournalEntry {
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

    package func entry(runID: String, stepID: String) async throws -> JournalEntry? {
        try await inner.entry(runID: runID, stepID: stepID)
    }

    package func entries(runID: String) async throws -> [JournalEntry] {
        try await inner.entries(runID: runID)
    }
}
