import ArgumentParser
import Foundation
import KimiSwarmStore
import Logging

/// `swarm bench store`: queue throughput and ledger insert rate on SQLite and, given a URL,
/// PostgreSQL.
struct BenchStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Measure the store: jobs claimed+completed per second (1 and 4 workers) and ledger inserts per second.",
        discussion: """
            Always measures a temporary SQLite file; with --database-url postgres://... also that PostgreSQL
            (it writes under a tenant of its own and deletes its rows afterwards).
            """)

    @Option(name: .long, help: "A PostgreSQL URL to measure as well (postgres://user:password@host:port/database).")
    var databaseURL: String?

    @Option(name: .long, help: "Jobs per queue measurement.")
    var jobs: Int = 2_000

    @Option(name: .long, help: "Ledger rows per insert measurement.")
    var ledgerRows: Int = 2_000

    func validate() throws {
        guard jobs > 0, ledgerRows > 0 else { throw ValidationError("--jobs and --ledger-rows must be positive") }
    }

    func run() async throws {
        let logger = Logger(label: "kimiswarm.bench.store", factory: { _ in SwiftLogNoOpLogHandler() })
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kimiswarm-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var targets: [(String, StoreLocation)] = [("sqlite", .sqlite(path: folder.appendingPathComponent("bench.sqlite").path))]
        if let databaseURL {
            guard databaseURL.hasPrefix("postgres://") || databaseURL.hasPrefix("postgresql://") else {
                throw ValidationError("--database-url must be a postgres:// URL")
            }
            targets.append(("postgres", .postgres(url: databaseURL)))
        }
        for (name, location) in targets {
            print("\(name):")
            let figures = try await StoreBenchmark(location: location, jobs: jobs, ledgerRows: ledgerRows, logger: logger).run()
            for figure in figures { print("  \(figure)") }
        }
    }
}
