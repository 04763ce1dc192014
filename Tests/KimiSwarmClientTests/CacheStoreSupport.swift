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
func withStoreCache<T>(path: String, _ body: (DatabaseResponseCache) async throws -> T) async throws -> T {
    let logger = Logger(label: "kimiswarm.cache.tests", factory: { _ in SwiftLogNoOpLogHandler() })
    let store = SwarmStore(database: try await SQLiteDatabase.open(path: path, logger: logger), logger: logger)
    do {
        try await store.migrate()
        let result = try await body(DatabaseResponseCache(store: store))
        try await store.database.close()
        return result
    } catch {
        try? await store.database.close()
        throw error
    }
}
