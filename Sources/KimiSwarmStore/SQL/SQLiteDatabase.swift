import Foundation
public import Logging
import NIOCore
import NIOPosix
import SQLiteNIO

/// SQLite driver: one connection to a file in WAL mode, used by one statement or
/// transaction at a time. Several processes (or several ``SQLiteDatabase`` values) may open
/// the same file; SQLite's lock with a busy timeout serialises their writers. Each connection
/// has a thread of its own, so one connection waiting on SQLite's lock never holds up the
/// connection that holds it.
public final class SQLiteDatabase: SQLDatabase {
    /// The file.
    public let path: String
    public var dialect: SQLDialect { .sqlite }
    private let connection: SQLiteConnection
    private let threadPool: NIOThreadPool
    private let lock = AsyncLock()

    private init(path: String, connection: SQLiteConnection, threadPool: NIOThreadPool) {
        self.path = path
        self.connection = connection
        self.threadPool = threadPool
    }

    /// Opens (creating it and its folder when missing) the SQLite file at `path`.
    public static func open(path: String, logger: Logger) async throws -> SQLiteDatabase {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(
                storage: .file(path: path), threadPool: threadPool, logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())
        } catch {
            try? await threadPool.shutdownGracefully()
            throw StoreError.database(dialect: .sqlite, underlying: error)
        }
        do {
            _ = try await connection.query("PRAGMA busy_timeout = 60000")
            _ = try await connection.query("PRAGMA journal_mode = WAL")
            _ = try await connection.query("PRAGMA synchronous = NORMAL")
            _ = try await connection.query("PRAGMA foreign_keys = ON")
        } catch {
            try? await connection.close()
            try? await threadPool.shutdownGracefully()
            throw error
        }
        return SQLiteDatabase(path: path, connection: connection, threadPool: threadPool)
    }

    @discardableResult
    public func query(_ query: SQLQuery) async throws -> [SQLRow] {
        try await lock.withLock { try await Self.run(query, on: connection) }
    }

    public func withSession<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await lock.withLock { try await body(Session(connection: connection)) }
    }

    public func close() async throws {
        await lock.lock()
        defer { lock.unlock() }
        do {
            try await connection.close()
        } catch {
            try? await threadPool.shutdownGracefully()
            throw error
        }
        try await threadPool.shutdownGracefully()
    }

    static func run(_ query: SQLQuery, on connection: SQLiteConnection) async throws -> [SQLRow] {
        let (sql, binds) = query.render(.sqlite)
        let data: [SQLiteData] = binds.map { value in
            switch value {
            case .null: return .null
            case .integer(let int): return .integer(Int(int))
            case .real(let double): return .float(double)
            case .text(let text): return .text(text)
            case .blob(let bytes): return .blob(ByteBuffer(bytes: bytes))
            }
        }
        let rows: [SQLiteRow]
        do {
            rows = try await connection.query(sql, data)
        } catch {
            throw StoreError.database(dialect: .sqlite, underlying: error)
        }
        return rows.map { row in
            let columns = row.columns
            return SQLRow(
                columns: columns.map(\.name),
                values: columns.map { column in
                    switch column.data {
                    case .null: return .null
                    case .integer(let int): return .integer(Int64(int))
                    case .float(let double): return .real(double)
                    case .text(let text): return .text(text)
                    case .blob(let buffer): return .blob(Array(buffer.readableBytesView))
                    }
                })
        }
    }

    /// A session on the (locked) connection.
    private struct Session: SQLExecutor {
        let connection: SQLiteConnection
        var dialect: SQLDialect { .sqlite }
        @discardableResult
        func query(_ query: SQLQuery) async throws -> [SQLRow] { try await SQLiteDatabase.run(query, on: connection) }
    }
}
