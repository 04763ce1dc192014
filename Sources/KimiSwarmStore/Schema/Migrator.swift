import Foundation
public import Logging

/// Runs the schema's migrations at start, once each, in order.
///
/// On PostgreSQL the whole run holds a session-level advisory lock, so replicas that start
/// together take turns and the later ones find nothing to do. On SQLite each migration runs
/// in a `BEGIN IMMEDIATE` transaction and re-checks the version inside it.
public struct Migrator: Sendable {
    /// The advisory lock key (PostgreSQL), "KSWMIGR1" read as an integer.
    public static let advisoryLockKey: Int64 = 0x4B53_574D_4947_5231

    let database: any SQLDatabase
    let migrations: [Migration]
    let logger: Logger

    /// Creates a migrator for `migrations` (by default the store's schema).
    public init(database: any SQLDatabase, migrations: [Migration] = Schema.migrations, logger: Logger) {
        self.database = database
        self.migrations = migrations
        self.logger = logger
    }

    /// Applies the migrations not yet applied; returns the versions it applied.
    @discardableResult
    public func migrate() async throws -> [Int] {
        let migrations = self.migrations
        let logger = self.logger
        return try await database.withSession { session in
            let dialect = session.dialect
            if dialect == .postgres {
                try await session.query("SELECT pg_advisory_lock(\(Self.advisoryLockKey))")
            }
            do {
                try await session.query(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations(
                        version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)
                    """)
                var applied: [Int] = []
                for migration in migrations.sorted(by: { $0.version < $1.version }) {
                    try await session.query(dialect.beginStatement)
                    do {
                        let done = try await session.first(
                            "SELECT version FROM schema_migrations WHERE version = \(migration.version)")
                        if done == nil {
                            for statement in migration.rendered(for: dialect) {
                                try await session.query(SQLQuery(stringLiteral: statement))
                            }
                            try await session.query(
                                """
                                INSERT INTO schema_migrations(version, name, applied_at)
                                VALUES (\(migration.version), \(migration.name), \(Date()))
                                """)
                            applied.append(migration.version)
                            logger.info(
                                "applied migration",
                                metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                        }
                        try await session.query("COMMIT")
                    } catch {
                        _ = try? await session.query("ROLLBACK")
                        throw error
                    }
                }
                if dialect == .postgres {
                    try await session.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))")
                }
                return applied
            } catch {
                if dialect == .postgres {
                    _ = try? await session.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))")
                }
                throw error
            }
        }
    }

    /// The versions recorded as applied.
    public func appliedVersions() async throws -> [Int] {
        try await database.query("SELECT version FROM schema_migrations ORDER BY version").map { try $0.int("version") }
    }
}
