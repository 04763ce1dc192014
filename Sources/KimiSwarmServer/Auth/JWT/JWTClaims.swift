public import KimiSwarmCore
public import Foundation

/// The verified claims of a token.
///
/// Registered claims are parsed into typed properties; every claim, including custom ones
/// such as `tenant`, `role` or `email`, stays readable through ``raw`` or the subscript.
public struct JWTClaims: Sendable, Hashable {
    /// `sub`: whom the token is about.
    public var subject: String?
    /// `iss`: who issued the token.
    public var issuer: String?
    /// `aud`: the audiences (a single string becomes one element).
    public var audience: [String]
    /// `exp`: when the token expires.
    public var expiresAt: Date?
    /// `iat`: when the token was issued.
    public var issuedAt: Date?
    /// `nbf`: when the token becomes valid.
    public var notBefore: Date?
    /// All claims as sent.
    public var raw: [String: JSONValue]

    /// Parses the registered claims of `raw`; throws ``JWTError/malformed`` when one has the wrong type.
    public init(raw: [String: JSONValue]) throws {
        self.raw = raw
        subject = try Self.string(raw["sub"])
        issuer = try Self.string(raw["iss"])
        switch raw["aud"] {
        case nil, .null?: audience = []
        case .string(let value)?: audience = [value]
        case .array(let values)?:
            audience = try values.map { value in
                guard let text = value.stringValue else { throw JWTError.malformed }
                return text
            }
        default: throw JWTError.malformed
        }
        expiresAt = try Self.date(raw["exp"])
        issuedAt = try Self.date(raw["iat"])
        notBefore = try Self.date(raw["nbf"])
    }

    /// The claim named `name`, if present.
    public subscript(name: String) -> JSONValue? { raw[name] }

    /// The claim named `name` when it is a string.
    public func string(_ name: String) -> String? { raw[name]?.stringValue }

    private static func string(_ value: JSONValue?) throws -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw JWTError.malformed
        }
    }

    private static func date(_ value: JSONValue?) throws -> Date? {
        switch value {
        case nil, .null?: return nil
        case let value?:
            guard let seconds = value.doubleValue, seconds.isFinite else { throw JWTError.malformed }
            return Date(timeIntervalSince1970: seconds)
        }
    }
}
