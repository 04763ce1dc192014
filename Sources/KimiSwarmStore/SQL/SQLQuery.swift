/// The SQL flavour a statement is rendered for.
public enum SQLDialect: String, Sendable, Hashable {
    case sqlite
    case postgres
}

/// A statement whose interpolated values become bind parameters, rendered as `?` on SQLite
/// and `$1, $2, ...` on PostgreSQL by one builder. Only ``SQLQuery/Fragment`` pieces
/// that the store wrote itself (`\(raw:)`, `\(dialect:)`) are spliced into the text.
///
/// ```swift
/// let q: SQLQuery = "SELECT * FROM runs WHERE tenant_id = \(tenantID) AND id = \(runID)"
/// ```
public struct SQLQuery: Sendable, ExpressibleByStringInterpolation {
    /// A spot where the two databases need different text.
    public enum DialectFragment: Sendable {
        /// `FOR UPDATE SKIP LOCKED` on PostgreSQL; nothing on SQLite (writers are serialised).
        case skipLocked
        /// `FOR UPDATE` on PostgreSQL; nothing on SQLite.
        case forUpdate

        func text(for dialect: SQLDialect) -> String {
            switch (self, dialect) {
            case (.skipLocked, .postgres): return " FOR UPDATE SKIP LOCKED"
            case (.forUpdate, .postgres): return " FOR UPDATE"
            case (_, .sqlite): return ""
            }
        }
    }

    enum Piece: Sendable {
        case text(String)
        case bind(SQLValue)
        case dialect(DialectFragment)
    }

    var pieces: [Piece]

    /// Builds a query from pieces.
    public struct StringInterpolation: StringInterpolationProtocol {
        var pieces: [Piece] = []
        public init(literalCapacity: Int, interpolationCount: Int) {}
        public mutating func appendLiteral(_ literal: String) { pieces.append(.text(literal)) }
        /// A value, bound as a parameter.
        public mutating func appendInterpolation(_ value: some SQLBindable) { pieces.append(.bind(value.sqlValue)) }
        /// An optional value, bound as a parameter (`NULL` when `nil`).
        public mutating func appendInterpolation<Value: SQLBindable>(_ value: Value?) { pieces.append(.bind(value.sqlValue)) }
        /// Trusted SQL text written by the store (identifiers, fixed lists); never user data.
        public mutating func appendInterpolation(raw: String) { pieces.append(.text(raw)) }
        /// A dialect-dependent fragment.
        public mutating func appendInterpolation(dialect: DialectFragment) { pieces.append(.dialect(dialect)) }
        /// Another query, spliced with its binds.
        public mutating func appendInterpolation(_ query: SQLQuery) { pieces.append(contentsOf: query.pieces) }
    }

    public init(stringLiteral value: String) { pieces = [.text(value)] }
    public init(stringInterpolation: StringInterpolation) { pieces = stringInterpolation.pieces }

    /// Appends another query.
    public static func + (lhs: SQLQuery, rhs: SQLQuery) -> SQLQuery {
        var result = lhs
        result.pieces.append(contentsOf: rhs.pieces)
        return result
    }

    /// `a, b, c`: a list of bound values.
    public static func list(_ values: [any SQLBindable]) -> SQLQuery {
        var query: SQLQuery = ""
        for (index, value) in values.enumerated() {
            if index > 0 { query.pieces.append(.text(", ")) }
            query.pieces.append(.bind(value.sqlValue))
        }
        return query
    }

    /// The text and the binds for one dialect.
    public func render(_ dialect: SQLDialect) -> (sql: String, binds: [SQLValue]) {
        var sql = ""
        var binds: [SQLValue] = []
        for piece in pieces {
            switch piece {
            case .text(let text): sql += text
            case .dialect(let fragment): sql += fragment.text(for: dialect)
            case .bind(let value):
                binds.append(value)
                switch dialect {
                case .sqlite: sql += "?"
                case .postgres: sql += "$\(binds.count)"
                }
            }
        }
        return (sql, binds)
    }
}
