import Crypto
public import Foundation
public import KimiSwarmCore

/// The identity of a cached response: the SHA-256 (lowercase hex) of a canonical form of
/// the cache scope, the provider, the resolved model and the request.
///
/// The canonical form is JSON with sorted keys, so the order in which fields (or the keys of
/// `extraBody`, tool schemas and response-format schemas) were written never matters, while any
/// change of content (messages, sampling, tools, tool choice, response format, thinking, stop
/// sequences, seed, token limit, `extraBody`, ...) gives another key. ``RequestOptions`` are
/// left out, except the scope; `streamOptions` are left out too, so a streamed and a
/// non-streamed request with the same content share an entry.
public struct CacheKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 64 lowercase hexadecimal digits.
    public let hex: String

    /// Wraps a key read back from storage.
    public init(hex: String) {
        self.hex = hex
    }

    /// The key of `request` sent to `model` of `provider` within `request.options.cacheScope`.
    ///
    /// `model` is the model the request resolves to (the provider's default when the request
    /// names none), so that a request with `model: nil` and one naming the default model share
    /// an entry.
    public init(provider: ProviderID, model: String, request: ChatRequest) {
        self.init(scope: request.options.cacheScope, provider: provider, model: model, request: request)
    }

    /// The key of `request` sent to `model` of `provider` within `scope` (whatever the request's
    /// own options say).
    public init(scope: String, provider: ProviderID, model: String, request: ChatRequest) {
        let data = Self.canonicalForm(scope: scope, provider: provider, model: model, request: request)
        hex = Self.hexadecimal(SHA256.hash(data: data))
    }

    /// The canonical JSON text that is hashed (for diagnostics and tests).
    public static func canonicalForm(scope: String, provider: ProviderID, model: String, request: ChatRequest) -> Data {
        var request = request
        request.model = model
        request.options = RequestOptions()
        request.streamOptions = StreamOptions()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let form = Canonical(version: 1, scope: scope, provider: provider.rawValue, model: model, request: request)
        if let data = try? encoder.encode(form) { return data }
        // JSON cannot hold a NaN or an infinite number (say, a NaN temperature). The full
        // description still tells different requests apart; its dictionary order may vary
        // between runs, which can only cost a miss, never share an entry.
        return Data("v1-fallback\u{0}\(scope)\u{0}\(provider)\u{0}\(model)\u{0}\(String(reflecting: request))".utf8)
    }

    public var description: String { hex }

    public static func < (lhs: CacheKey, rhs: CacheKey) -> Bool { lhs.hex < rhs.hex }

    private static func hexadecimal(_ digest: SHA256.Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private struct Canonical: Encodable {
        let version: Int
        let scope: String
        let provider: String
        let model: String
        let request: ChatRequest
    }
}
