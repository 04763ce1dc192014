import Foundation
import HTTPTypes
import Hummingbird
import KimiSwarmStore
import KimiSwarmPlatform
import NIOCore

extension Principal {
    /// Whether the caller may hand out `role` (to a member or a key): nobody may grant more
    /// than they hold, and the only role above a tenant admin's is `super_admin`.
    func mayGrant(_ role: Role) -> Bool { isSuperAdmin || role != .superAdmin }

    /// Refuses (403) to grant a role the caller does not hold.
    func requireMayGrant(_ role: Role) throws {
        guard mayGrant(role) else {
            throw APIError.forbidden(
                "your role (\(self.role.rawValue)) may not grant \(role.rawValue)", hint: "Only a super admin may grant super_admin.")
        }
    }
}

/// Small helpers the admin routes share.
enum Admin {
    /// A `204 No Content`.
    static func noContent() -> Response { Response(status: .noContent) }

    /// An exact decimal as a JSON string (`"0.0123"`), never through a binary float.
    static func money(_ value: Decimal) -> String { "\(value)" }

    /// A path parameter that must be a short plain identifier (404 when it cannot be one).
    static func identifier(_ context: AppRequestContext, _ name: String, what: String) throws -> String {
        let value = try context.parameters.require(name)
        guard (1...128).contains(value.utf8.count), value.utf8.allSatisfy(isIdentifierByte) else { throw APIError.notFound(what) }
        return value
    }

    /// Lowercase letters, digits, `-`, `_` and `.`.
    static func isIdentifierByte(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (97...122).contains(byte) || (65...90).contains(byte) || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
    }

    /// Checks a caller-chosen id (`[a-z0-9][a-z0-9-_]{0,63}`), 422 naming `field` otherwise.
    static func validateID(_ id: String, field: String) throws {
        guard (try? /^[a-z0-9][a-z0-9_-]{0,63}$/.wholeMatch(in: id)) != nil else {
            throw APIError.unprocessable(
                "`\(field)` must be 1 to 64 lowercase letters, digits, `-` or `_`, starting with a letter or digit", param: field)
        }
    }

    /// A required non-empty display name of at most 200 characters.
    static func validateName(_ name: String, field: String = "name") throws {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 200 else {
            throw APIError.unprocessable("`\(field)` must be 1 to 200 characters", param: field)
        }
    }

    /// Decodes a JSON body strictly (only `allowedKeys`).
    static func body<T: Decodable>(_ type: T.Type, _ request: Request, _ context: AppRequestContext, allowedKeys: Set<String>) async throws -> T {
        let bytes = try await JSONBody.bytes(request, context: context)
        return try JSONBody.decode(type, from: bytes, allowedKeys: allowedKeys)
    }

    /// A role from its wire name, 422 naming `field` otherwise.
    static func role(_ text: String, field: String = "role") throws -> Role {
        guard let role = Role(rawValue: text) else {
            throw APIError.unprocessable(
                "`\(field)` must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))", param: field)
        }
        return role
    }
}

/// A decimal amount of US dollars in a body: a string (`"12.50"`, exact) or a JSON number.
/// Amounts are plain decimals below 10^15 in size with at most 18 decimals (each field checks
/// its own range, so `"-1"` is a 422 there); exponents, `+`, spaces and trailing text are refused (`Decimal(string:)` alone would read `"12abc"`
/// as 12).
struct DecimalText: Codable, Sendable, Hashable {
    var value: Decimal

    init(_ value: Decimal) { self.value = value }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self), let value = Self.parse(text) {
            self.value = value
        } else if let number = try? container.decode(Double.self), number.isFinite, abs(number) < 1e15,
            let value = Self.parse(Self.plain(number))
        {
            self.value = value
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a decimal amount such as \"12.50\" (at most 15 digits before the point)")
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Admin.money(value))
    }

    /// A plain decimal (`12`, `12.50`), or `nil`.
    static func parse(_ text: String) -> Decimal? {
        guard (try? /^-?[0-9]{1,15}(\.[0-9]{1,18})?$/.wholeMatch(in: text)) != nil else { return nil }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// A JSON number as plain decimal text (`1e-05` → `0.00001`).
    static func plain(_ number: Double) -> String {
        let text = "\(number)"
        guard text.contains("e") || text.contains("E") else { return text }
        return String(format: "%.18f", number).replacingOccurrences(of: #"\.?0+$"#, with: "", options: .regularExpression)
    }
}
