import Foundation
import KimiSwarmStore
import Testing

@Suite("Store benchmark")
struct BenchmarkTests {
    @Test("measures the queue and the ledger, and leaves no rows behind", arguments: TestDatabase.available)
    func smallRun(_ kind: TestDatabase) async throws {
        try await withFreshLocation(kind) { location in
            let figures = try await StoreBenchmark(location: location, jobs: 20, ledgerRows: 12, logger: testLogger).run()
            #expect(figures.map(\.name) == ["queue, 1 worker", "queue, 4 workers", "ledger inserts, 1 writer", "ledger inserts, 4 writers"])
            #expect(figures.map(\.operations) == [20, 20, 12, 12])
            #expect(figures.allSatisfy { $0.perSecond > 0 })
            try await withStore(at: location) { (store: SwarmStore) async throws in
                for table in ["jobs", "usage_ledger", "usage_rollups_daily"] {
                    #expect(try await store.database.query("SELECT COUNT(*) AS n FROM \(raw: table)").first?.int("n") == 0)
                }
            }
        }
    }
}
