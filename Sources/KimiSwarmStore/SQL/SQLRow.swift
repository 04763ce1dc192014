public import Foundation

/// One result row, read by column name.
public struct SQLRow: Sendable {
    /// Column names in order.
    public let columns: [String]
    /// Values in column order.
    public let values: [SQLValue]

    /// Creates a row.
    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The raw value of a column (`.null` when the column is missing).
    public subscript(_ name: String) -> SQLValue {
        guard let index = columns.firstIndex(of: name) else { return .null }
        return values[index]
    }

    /// A non-null integer column.
    public func int(_ name: String) throws -> Int {
        Int(try int64(name))
    }

    /// A non-null 64-bit integer column.
    public func int64(_ name: String) throws -> Int64 {
        switch self[name] {
        case .integer(let value): return value
        case .real(let value): if let exact = Int64(exactly: value.rounded(.towardZero)) { return exact }
        case .text(let text): if let value = Int64(text) { return value }
        default: break
        }
        throw StoreError.decoding(column: name)
    }

    /// An integer column that may be null.
    public func optionalInt64(_ name: String) throws -> Int64? {
        if case .null = self[name] { return nil }
        return try int64(name)
    }

    /// A non-null text column.
    public func string(_ name: String) throws -> String {
        switch self[name] {
        case .text(let text): return text
        case .integer(let value): return String(value)
        case .blob(let bytes): return String(decoding: bytes, as: UTF8.self)
        default: throw StoreError.decoding(column: name)
        }
    }

    /// A text column that may be null.
    public func optionalString(_ name: String) throws -> String? {
        if case .null = self[name] { return nil }
        return try string(name)
    }

    /// A boolean column stored as `0`/`1`.
    public func bool(_ name: String) throws -> Bool { try int64(name) != 0 }

    /// A timestamp column (milliseconds since 1970).
    public func date(_ name: String) throws -> Date { Date(millisecondsSince1970: try int64(name)) }

    /// A timestamp column that may be null.
    public func optionalDate(_ name: String) throws -> Date? {
        try optionalInt64(name).map(Date.init(millisecondsSince1970:))
    }

    /// An exact decimal column stored as text.
    public func decimal(_ name: String) throws -> Decimal {
        guard let value = Decimal(exactText: try string(name)) else { throw StoreError.decoding(column: name) }
        return value
    }

    /// A binary column.
    public func bytes(_ name: String) throws -> [UInt8] {
        switch self[name] {
        case .blob(let bytes): return bytes
        case .text(let text): return Array(text.utf8)
        default: throw StoreError.decoding(column: name)
        }
    }
}
