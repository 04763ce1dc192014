import Foundation
import KimiSwarmCore
public import Logging

/// Measures the store on one database: queue throughput (jobs claimed and completed per
/// second) with 1 and 4 workers, each worker its own store (as replicas are), and the
/// ledger's insert rate (each insert also updates its rollup). It writes under a tenant and
/// queue of its own and deletes them at the end, so it can run against a live database.
public struct StoreBenchmark: Sendable {
    /// One measurement.
    public struct Figure: Sendable, CustomStringConvertible {
        public var name: String
        public var operations: Int
        public var seconds: Double
        public var perSecond: Double { seconds > 0 ? Double(operations) / seconds : 0 }
        public var description: String {
            "\(name): \(operations) in \(String(format: "%.2f", seconds)) s = \(String(format: "%.0f", perSecond))/s"
        }
    }

    public var location: StoreLocation
    public var jobs: Int
    public var ledgerRows: Int
    public var workerCounts: [Int]
    public var logger: Logger

    public init(location: StoreLocation, jobs: Int = 2_000, ledgerRows: Int = 2_000, workerCounts: [Int] = [1, 4], logger: Logger) {
        self.location = location
        self.jobs = jobs
        self.ledgerRows = ledgerRows
        self.workerCounts = workerCounts
        self.logger = logger
    }

    /// Runs every measurement.
    public func run() async throws -> [Figure] {
        let tenantID = "bench-\(UUID().uuidString.prefix(8).lowercased())"
        let configuration = StoreConfiguration(location: location, migrate: true, maximumConnections: 4)
        var figures: [Figure] = []
        let jobs = self.jobs
        let ledgerRows = self.ledgerRows
        let logger = self.logger
        do {
            for workers in workerCounts {
                let queue = "\(tenantID)-\(workers)"
                try await SwarmStore.withStore(configuration, logger: logger) { store in
                    try await store.database.transaction { tx in
                        let now = Date()
                        for index in 0..<jobs {
                            try await tx.query(
                                """
                                INSERT INTO jobs(id, tenant_id, queue, kind, payload, priority, status, attempts, max_attempts,
                                    not_before, fencing_token, created_at, updated_at)
                                VALUES (\(UUID().uuidString), \(tenantID), \(queue), 'bench', \("{\"i\":\(index)}"), 0, 'queued', 0, 3,
                                    \(now), 0, \(now), \(now))
                                """)
                        }
                    }
                }
                let start = ContinuousClock.now
                let done = try await withThrowingTaskGroup(of: Int.self) { group in
                    for worker in 0..<workers {
                        group.addTask {
                            try await SwarmStore.withStore(
                                StoreConfiguration(location: configuration.location, migrate: false, maximumConnections: 1), logger: logger
                            ) { store in
                                var count = 0
                                while let claimed = try await store.jobs.claim(queue: queue, workerID: "bench-\(worker)") {
                                    try await store.jobs.complete(lease: claimed.lease)
                                    count += 1
                                }
                                return count
                            }
                        }
                    }
                    return try await group.reduce(0, +)
                }
                figures.append(Figure(name: "queue, \(workers) worker\(workers == 1 ? "" : "s")", operations: done, seconds: Self.seconds(since: start)))
            }
            for writers in [1, 4] {
                let start = ContinuousClock.now
                try await SwarmStore.withStore(configuration, logger: logger) { store in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for writer in 0..<writers {
                            group.addTask {
                                for index in stride(from: writer, to: ledgerRows, by: writers) {
                                    try await store.usage.recordUsage(
                                        tenantID: tenantID,
                                        UsageRecord(
                                            tenantID: tenantID, apiKeyID: "key\(index % 3)", provider: "moonshot", model: "kimi-k2.6",
                                            usage: Usage(promptTokens: 1_000, completionTokens: 200), costUSD: Decimal(string: "0.0011")!,
                                            latencyMilliseconds: 420))
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                figures.append(Figure(name: "ledger inserts, \(writers) writer\(writers == 1 ? "" : "s")", operations: ledgerRows, seconds: Self.seconds(since: start)))
            }
        } catch {
            try? await cleanUp(tenantID: tenantID, configuration: configuration)
            throw error
        }
        try await cleanUp(tenantID: tenantID, configuration: configuration)
        return figures
    }

    private func cleanUp(tenantID: String, configuration: StoreConfiguration) async throws {
        try await SwarmStore.withStore(configuration, logger: logger) { store in
            for table in ["jobs", "usage_ledger", "usage_rollups_daily"] {
                try await store.database.query("DELETE FROM \(raw: table) WHERE tenant_id = \(tenantID)")
            }
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
