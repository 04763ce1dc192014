/// A secret value (an API key, a credential) that never shows itself.
///
/// It prints, debug-prints, dumps and encodes as `***`; only ``reveal()`` gives the value,
/// and the places that call it are the places that send it to a provider.
public struct Secret: Sendable, Hashable, Codable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private let value: String

    /// Wraps a secret value.
    public init(_ value: String) {
        self.value = value
    }

    /// The secret itself. Call this only where the secret is sent to its owner's provider.
    public func reveal() -> String { value }

    /// `true` when the secret is the empty string.
    public var isEmpty: Bool { value.isEmpty }

    public var description: String { "***" }
    public var debugDescription: String { "Secret(***)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// Decodes a secret from a string.
    public init(from decoder: any Decoder) throws {
        value = try decoder.singleValueContainer().decode(String.self)
    }

    /// Encodes as `***`: a secret is never written out.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode("***")
    }
}
