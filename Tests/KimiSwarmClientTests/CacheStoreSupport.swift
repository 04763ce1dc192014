import Foundation
import KimiSwarmPlatform
import KimiSwarmStore
import Logging

/// A fresh folder under the temporary directory, removed after `body`.
func withTemporaryFolder<T>(_ body: (String) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kimiswarm-cache-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    return try await body(folder)
}

/// The response cache's persistent tier as the command line has it: the store's
/// `response_cache` table in a SQLite file at `path` (opened, migrated, closed after `body`).
func withStoreCache<T: Sendable>(path: String, _ body: @Sendable (DatabaseResponseCache) async throws -> T) async throws -> T {
    let logger = Logger(label: "kimiswarm.cache.tests", factory: { _ in SwiftLogNoOpLogHandler() })
    return try await SwarmStore.withStore(StoreConfiguration(location: .sqlite(path: path)), logger: logger) { store in
        try await body(DatabaseResponseCache(store: store))
    }
}
