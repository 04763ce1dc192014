import Foundation

/// One forward-only schema step, registered by version and name and run once.
public struct Migration: Sendable {
    /// Strictly increasing version.
    public var version: Int
    /// A short name, recorded with the version.
    public var name: String
    /// The statements. `{BLOB}` is `BLOB` on SQLite and `BYTEA` on PostgreSQL; every other
    /// type is spelled the same on both (`BIGINT`, `TEXT`).
    public var statements: [String]

    /// Creates a migration.
    public init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }

    func rendered(for dialect: SQLDialect) -> [String] {
        statements.map { statement in
            switch dialect {
            case .sqlite: return statement.replacingOccurrences(of: "{BLOB}", with: "BLOB")
            case .postgres: return statement.replacingOccurrences(of: "{BLOB}", with: "BYTEA")
            }
        }
    }
}
