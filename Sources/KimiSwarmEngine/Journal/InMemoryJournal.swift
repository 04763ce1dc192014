public import KimiSwarmCore
import Synchronization

/// A journal in memory: for tests and for runs that need no resume across processes.
public final class InMemoryJournal: RunJournal {
    private struct Storage {
        var entries: [String: [String: JournalEntry]] = [:]
        var order: [String: [String]] = [:]
    }

    private let storage = Mutex(Storage())

    /// Creates an empty journal.
    public init() {}

    @discardableResult
    public func record(_ entry: JournalEntry) async throws -> JournalEntry {
        storage.withLock { storage in
            if let existing = storage.entries[entry.runID]?[entry.stepID] { return existing }
            storage.entries[entry.runID, default: [:]][entry.stepID] = entry
            storage.order[entry.runID, default: []].append(entry.stepID)
            return entry
        }
    }

    public func entry(runID: String, stepID: String) async throws -> JournalEntry? {
        storage.withLock { $0.entries[runID]?[stepID] }
    }

    public func entries(runID: String) async throws -> [JournalEntry] {
        storage.withLock { storage in
            (storage.order[runID] ?? []).compactMap { storage.entries[runID]?[$0] }
        }
    }

    /// Forgets the steps of a run (tests use it to compare runs).
    public func removeRun(_ runID: String) {
        storage.withLock { storage in
            storage.entries[runID] = nil
            storage.order[runID] = nil
        }
    }
}
