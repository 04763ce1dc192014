import Foundation
import KimiSwarmStore
import PostgresNIO
import Testing

@Suite("Store migrations")
struct MigrationTests {
    @Test("migrate from empty, then re-run does nothing", arguments: TestDatabase.available)
    func fromEmptyAndRerun(_ kind: TestDatabase) async throws {
        try await withFreshLocation(kind) { location in
            let first = try await withStore(at: location, migrate: false) { store in try await store.migrate() }
            #expect(first == Schema.migrations.map(\.version))
            let second = try await withStore(at: location, migrate: false) { store in try await store.migrate() }
            #expect(second.isEmpty)
            let applied = try await withStore(at: location, migrate: false) { store in
                try await Migrator(database: store.database, logger: testLogger).appliedVersions()
            }
            #expect(applied == Schema.migrations.map(\.version))
        }
    }

    @Test("replicas starting together apply each migration once", arguments: TestDatabase.available)
    func concurrentStart(_ kind: TestDatabase) async throws {
        try await withFreshLocation(kind) { location in
            let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 {
                    group.addTask { try await withStore(at: location, migrate: false) { store in try await store.migrate() } }
                }
                var all: [Int] = []
                for try await versions in group { all += versions }
                return all
            }
            #expect(applied.sorted() == Schema.migrations.map(\.version))
            let count = try await withStore(at: location, migrate: false) { store in
                try await store.database.query("SELECT COUNT(*) AS n FROM schema_migrations").first?.int("n")
            }
            #expect(count == Schema.migrations.count)
        }
    }

    @Test("the builder renders ? on SQLite and $n on PostgreSQL")
    func placeholders() {
        let tenant = "t1"
        let query: SQLQuery = "SELECT * FROM jobs WHERE tenant_id = \(tenant) AND priority > \(3)\(dialect: .skipLocked)"
        let sqlite = query.render(.sqlite)
        let postgres = query.render(.postgres)
        #expect(sqlite.sql == "SELECT * FROM jobs WHERE tenant_id = ? AND priority > ?")
        #expect(postgres.sql == "SELECT * FROM jobs WHERE tenant_id = $1 AND priority > $2 FOR UPDATE SKIP LOCKED")
        #expect(sqlite.binds == [.text("t1"), .integer(3)])
        #expect(postgres.binds == sqlite.binds)
    }
}

@Suite("Store locations")
struct StoreLocationTests {
    @Test("URLs choose the database")
    func locations() throws {
        #expect(StoreLocation(databaseURL: "postgres://u:p@db:5433/ks") == .postgres(url: "postgres://u:p@db:5433/ks"))
        #expect(StoreLocation(databaseURL: "postgresql://db/ks") == .postgres(url: "postgresql://db/ks"))
        #expect(StoreLocation(databaseURL: "sqlite://./x.sqlite") == .sqlite(path: "./x.sqlite"))
        #expect(StoreLocation(databaseURL: "data/x.sqlite") == .sqlite(path: "data/x.sqlite"))
        #expect(throws: StoreError.self) { try PostgreSQLDatabase.configuration(url: "mysql://db/x") }
        let configuration = try PostgreSQLDatabase.configuration(url: "postgres://ada:s%40cret@db.local:6543/kimiswarm?sslmode=disable")
        #expect(configuration.host == "db.local")
        #expect(configuration.port == 6543)
        #expect(configuration.username == "ada")
        #expect(configuration.password == "s@cret")
        #expect(configuration.database == "kimiswarm")
    }
}
