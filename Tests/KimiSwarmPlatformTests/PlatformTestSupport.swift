import AsyncHTTPClient
import Foundation
import KimiSwarmClient
import KimiSwarmStore
import Logging

/// The platform tests' logger (silent).
let serverTestLogger: Logger = {
    var logger = Logger(label: "kimiswarm.platform-tests", factory: { _ in SwiftLogNoOpLogHandler() })
    logger.logLevel = .critical
    return logger
}()

/// The platform tests' own connection pool to loopback providers.
let providerHTTPClient: HTTPClient = SharedHTTPClient.makeClient()

/// A fresh SQLite store location in a temporary folder, removed afterwards.
func withFreshSQLite<T: Sendable>(_ body: (StoreLocation) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kimiswarm-platform-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try await body(.sqlite(path: folder.appendingPathComponent("store.sqlite").path))
}
