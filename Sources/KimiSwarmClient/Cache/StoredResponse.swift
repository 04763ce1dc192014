public import Foundation
public import KimiSwarmCore

/// One entry of a ``ResponseCacheStore``: an encoded ``ChatResponse`` and what it belongs to.
public struct StoredResponse: Sendable, Hashable {
    /// The cache key.
    public var key: CacheKey
    /// The scope the entry belongs to.
    public var scope: String
    /// The provider that answered.
    public var provider: ProviderID
    /// The model the request resolved to.
    public var model: String
    /// When the entry was written (wall clock).
    public var createdAt: Date
    /// When the entry stops being served (wall clock).
    public var expiresAt: Date
    /// The response, JSON-encoded (``ResponseCodec``).
    public var body: Data

    /// Creates an entry.
    public init(
        key: CacheKey, scope: String, provider: ProviderID, model: String, createdAt: Date, expiresAt: Date, body: Data
    ) {
        self.key = key
        self.scope = scope
        self.provider = provider
        self.model = model
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.body = body
    }
}

/// How cached responses are encoded: JSON, whose byte count is also an entry's size in the
/// in-memory tier.
public enum ResponseCodec {
    /// The JSON bytes of `response`, keys sorted so that equal responses give equal bytes.
    public static func encode(_ response: ChatResponse) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(response)
    }

    /// The response encoded in `data`.
    public static func decode(_ data: Data) throws -> ChatResponse {
        try JSONDecoder().decode(ChatResponse.self, from: data)
    }
}
