import Foundation
import KimiSwarmStore
import Logging
import PostgresNIO
import Synchronization
import Testing

/// The databases the suite runs against: SQLite always, PostgreSQL when
/// `KIMISWARM_TEST_DATABASE_URL` is set (scripts/test always sets it).
enum TestDatabase: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    static let urlVariable = "KIMISWARM_TEST_DATABASE_URL"

    static var postgresURL: String? {
        guard let url = ProcessInfo.processInfo.environment[urlVariable], !url.isEmpty else { return nil }
        return url
    }

    /// SQLite, plus PostgreSQL when a URL is configured.
    static var available: [TestDatabase] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    var testDescription: String { rawValue }
}

let testLogger = Logger(label: "kimiswarm.store.tests", factory: { _ in SwiftLogNoOpLogHandler() })

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = Mutex(start) }

    var now: Date { current.withLock { $0 } }
    func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
    var storeClock: StoreClock { StoreClock(now: { [self] in now }) }
}

/// A fresh, empty database of `kind`: a temporary SQLite file, or a new PostgreSQL database
/// created on the test server and dropped afterwards.
func withFreshLocation<T: Sendable>(_ kind: TestDatabase, _ body: (StoreLocation) async throws -> T) async throws -> T {
    switch kind {
    case .sqlite:
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kimiswarm-store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        return try await body(.sqlite(path: folder.appendingPathComponent("store.sqlite").path))
    case .postgres:
        let adminURL = try #require(TestDatabase.postgresURL)
        let name = "ks_test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased())"
        try await withPostgres(url: adminURL) { admin in try await admin.query("CREATE DATABASE \(raw: name)") }
        var components = try #require(URLComponents(string: adminURL))
        components.path = "/\(name)"
        let url = try #require(components.string)
        do {
            let result = try await body(.postgres(url: url))
            try await dropDatabase(name, adminURL: adminURL)
            return result
        } catch {
            try? await dropDatabase(name, adminURL: adminURL)
            throw error
        }
    }
}

private func dropDatabase(_ name: String, adminURL: String) async throws {
    try await withPostgres(url: adminURL) { admin in try await admin.query("DROP DATABASE IF EXISTS \(raw: name) WITH (FORCE)") }
}

/// Runs `body` with a PostgreSQL driver whose pool is running.
@discardableResult
func withPostgres<T: Sendable>(url: String, _ body: @Sendable (PostgreSQLDatabase) async throws -> T) async throws -> T {
    let database = try PostgreSQLDatabase(url: url, maximumConnections: 4, logger: testLogger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await database.client.run() }
        defer { group.cancelAll() }
        return try await body(database)
    }
}

/// A migrated store on a fresh database.
func withTestStore<T: Sendable>(
    _ kind: TestDatabase, clock: StoreClock = .system, masterKeys: MasterKeyring? = nil,
    _ body: @escaping @Sendable (SwarmStore) async throws -> T
) async throws -> T {
    try await withFreshLocation(kind) { location in
        try await SwarmStore.withStore(
            StoreConfiguration(location: location, masterKeys: masterKeys, clock: clock), logger: testLogger, body)
    }
}

/// Opens another store on an existing location (another replica).
@discardableResult
func withStore<T: Sendable>(
    at location: StoreLocation, clock: StoreClock = .system, masterKeys: MasterKeyring? = nil, migrate: Bool = true,
    _ body: @escaping @Sendable (SwarmStore) async throws -> T
) async throws -> T {
    try await SwarmStore.withStore(
        StoreConfiguration(location: location, masterKeys: masterKeys, clock: clock, migrate: migrate), logger: testLogger, body)
}

/// A value shared between tasks.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<T: Sendable>(_ body: (inout Value) -> T) -> T { mutex.withLock { body(&$0) } }
    var value: Value { mutex.withLock { $0 } }
}

extension RunRepository {
    /// A queued run made the way the server makes one (``RunRepository/submit(_:)``), its job
    /// on a queue no worker claims.
    func submitTestRun(
        tenantID: String, id: String = UUID().uuidString.lowercased(), task: String, templateID: String? = nil,
        createdBy: String? = nil, budgets: String? = nil
    ) async throws -> RunRecord {
        try await submit(
            RunSubmission(
                tenantID: tenantID, id: id, task: task, templateID: templateID, createdBy: createdBy, spec: "{}", budgets: budgets,
                jobPayload: "{}", queue: "idle-test-runs")
        ).run
    }
}
