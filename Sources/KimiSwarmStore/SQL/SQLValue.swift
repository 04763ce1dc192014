public import Foundation

/// A value bound to, or read from, a SQL statement; the common ground of SQLite and PostgreSQL.
///
/// Integers are 64-bit (`BIGINT` on PostgreSQL), timestamps are milliseconds since 1970,
/// money is exact decimal text, booleans are `0`/`1`.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// A Swift value that can be bound to a statement.
public protocol SQLBindable: Sendable {
    /// The value as bound.
    var sqlValue: SQLValue { get }
}

extension String: SQLBindable { public var sqlValue: SQLValue { .text(self) } }
extension Int: SQLBindable { public var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Int64: SQLBindable { public var sqlValue: SQLValue { .integer(self) } }
extension Bool: SQLBindable { public var sqlValue: SQLValue { .integer(self ? 1 : 0) } }
extension Double: SQLBindable { public var sqlValue: SQLValue { .real(self) } }
extension Date: SQLBindable { public var sqlValue: SQLValue { .integer(self.millisecondsSince1970) } }
extension Decimal: SQLBindable { public var sqlValue: SQLValue { .text(self.exactText) } }
extension Array: SQLBindable where Element == UInt8 { public var sqlValue: SQLValue { .blob(self) } }
extension SQLValue: SQLBindable { public var sqlValue: SQLValue { self } }
extension Optional: SQLBindable where Wrapped: SQLBindable {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

extension Date {
    /// Whole milliseconds since 1970, the store's timestamp encoding.
    public var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    /// The date of a store timestamp.
    public init(millisecondsSince1970 ms: Int64) { self.init(timeIntervalSince1970: Double(ms) / 1000) }
}

extension Decimal {
    /// The exact decimal text the store keeps for money (`"0.000045"`).
    public var exactText: String { NSDecimalNumber(decimal: self).description(withLocale: Locale(identifier: "en_US_POSIX")) }

    /// Parses the store's exact decimal text.
    public init?(exactText: String) {
        guard let value = Decimal(string: exactText, locale: Locale(identifier: "en_US_POSIX")) else { return nil }
        self = value
    }
}
