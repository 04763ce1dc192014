/// Runs statements on one database session (a connection, or a transaction on it).
public protocol SQLExecutor: Sendable {
    /// The dialect statements are rendered for.
    var dialect: SQLDialect { get }
    /// Runs a statement and returns its rows (none for statements without `RETURNING`).
    @discardableResult
    func query(_ query: SQLQuery) async throws -> [SQLRow]
}

/// A database the store can use: SQLite or PostgreSQL behind one small interface.
///
/// Everything above this protocol is written once; dialect differences live in
/// ``SQLQuery/DialectFragment``, ``SQLDialect`` switches in the schema, and the two drivers.
public protocol SQLDatabase: SQLExecutor {
    /// Runs `body` with a session that holds one connection for its whole duration.
    func withSession<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T
    /// Closes the database.
    func close() async throws
}

extension SQLExecutor {
    /// The first row, or `nil`.
    public func first(_ query: SQLQuery) async throws -> SQLRow? {
        try await self.query(query).first
    }
}

extension SQLDialect {
    /// The statement that opens a write transaction (`BEGIN IMMEDIATE` takes SQLite's write
    /// lock up front, so two writers never deadlock upgrading a read lock).
    var beginStatement: SQLQuery {
        switch self {
        case .sqlite: return "BEGIN IMMEDIATE"
        case .postgres: return "BEGIN"
        }
    }
}

extension SQLDatabase {
    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await withSession { session in
            try await session.query(session.dialect.beginStatement)
            do {
                let result = try await body(session)
                try await session.query("COMMIT")
                return result
            } catch {
                _ = try? await session.query("ROLLBACK")
                throw error
            }
        }
    }
}
