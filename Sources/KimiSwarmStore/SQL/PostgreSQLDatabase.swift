import Foundation
public import Logging
import NIOCore
import NIOSSL
public import PostgresNIO
import ServiceLifecycle

/// PostgreSQL driver over postgres-nio's `PostgresClient` (a connection pool).
///
/// The client must run: either add ``client`` to your `ServiceGroup` or use
/// ``SwarmStore/withStore(_:logger:_:)``, which runs it for the body's duration.
public final class PostgreSQLDatabase: SQLDatabase {
    /// The pool; a `Service`.
    public let client: PostgresClient
    public var dialect: SQLDialect { .postgres }
    private let logger: Logger

    /// Creates the driver for a `postgres://user:password@host:port/database?sslmode=disable` URL.
    public init(url: String, maximumConnections: Int = 10, logger: Logger) throws {
        var configuration = try Self.configuration(url: url)
        configuration.options.maximumConnections = maximumConnections
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    /// Parses a PostgreSQL URL (`postgres://` or `postgresql://`). `sslmode` may be `disable`,
    /// `prefer` (the default) or `require`.
    public static func configuration(url: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url),
            let scheme = components.scheme, scheme == "postgres" || scheme == "postgresql",
            let host = components.host, !host.isEmpty
        else { throw StoreError.invalidDatabaseURL }
        let username = components.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        let password = components.password.flatMap { $0.removingPercentEncoding }
        var database = String(components.path.drop(while: { $0 == "/" }))
        if database.isEmpty { database = username }
        let sslmode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS
        switch sslmode {
        case "disable": tls = .disable
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: tls = .prefer(.makeClientConfiguration())
        }
        return PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: username, password: password, database: database,
            tls: tls)
    }

    @discardableResult
    public func query(_ query: SQLQuery) async throws -> [SQLRow] {
        let (sql, binds) = query.render(.postgres)
        do {
            let rows = try await client.query(Self.postgresQuery(sql, binds), logger: logger)
            return try await Self.collect(rows)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.database(dialect: .postgres, underlying: error)
        }
    }

    public func withSession<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        let logger = self.logger
        return try await client.withConnection { connection in
            try await body(Session(connection: connection, logger: logger))
        }
    }

    public func close() async throws {}

    /// Holds one pooled connection that `LISTEN`s on `channel` and calls `onPayload` for each
    /// notification, until the task is cancelled (then it returns) or the connection fails
    /// (then it throws).
    func listen(channel: String, _ onPayload: @escaping @Sendable (String) -> Void) async throws {
        let logger = self.logger
        do {
            try await client.withConnection { connection in
                try await connection.listen(on: channel) { notifications in
                    logger.debug("listening", metadata: ["channel": "\(channel)"])
                    for try await notification in notifications {
                        onPayload(notification.payload)
                    }
                }
            }
        } catch {
            if Task.isCancelled { return }
            throw StoreError.database(dialect: .postgres, underlying: error)
        }
    }

    static func postgresQuery(_ sql: String, _ binds: [SQLValue]) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds {
            switch value {
            case .null: bindings.appendNull()
            case .integer(let int): bindings.append(int)
            case .real(let double): bindings.append(double)
            case .text(let text): bindings.append(text)
            case .blob(let bytes): bindings.append(ByteBuffer(bytes: bytes))
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    static func collect(_ rows: PostgresRowSequence) async throws -> [SQLRow] {
        var result: [SQLRow] = []
        for try await row in rows {
            var names: [String] = []
            var values: [SQLValue] = []
            for cell in row {
                names.append(cell.columnName)
                values.append(try value(of: cell))
            }
            result.append(SQLRow(columns: names, values: values))
        }
        return result
    }

    static func value(of cell: PostgresCell) throws -> SQLValue {
        if cell.bytes == nil { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .bytea: return .blob(Array(try cell.decode(ByteBuffer.self).readableBytesView))
        default: return .text(try cell.decode(String.self))
        }
    }

    private struct Session: SQLExecutor {
        let connection: PostgresConnection
        let logger: Logger
        var dialect: SQLDialect { .postgres }
        @discardableResult
        func query(_ query: SQLQuery) async throws -> [SQLRow] {
            let (sql, binds) = query.render(.postgres)
            do {
                let rows = try await connection.query(PostgreSQLDatabase.postgresQuery(sql, binds), logger: logger)
                return try await PostgreSQLDatabase.collect(rows)
            } catch {
                throw StoreError.database(dialect: .postgres, underlying: error)
            }
        }
    }
}
