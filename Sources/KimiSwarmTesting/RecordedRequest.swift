import Foundation

/// One HTTP request received by the ``LoopbackProviderServer``, as seen on the wire.
public struct RecordedRequest: Sendable {
    /// 1-based position of this request among all requests the server received.
    public let sequenceNumber: Int
    /// The HTTP method, e.g. `"POST"`.
    public let method: String
    /// The request target as sent, including the query string.
    public let uri: String
    /// The path without the query string.
    public let path: String
    /// The query items, percent-decoded, in order (`value` is `""` when the item has no `=`).
    public let queryItems: [(name: String, value: String)]
    /// The header fields, in order, with names as sent.
    public let headers: [(name: String, value: String)]
    /// The raw body bytes (reassembled from all body chunks).
    public let body: [UInt8]

    /// Creates a recorded request; the path and query items are derived from `uri`.
    public init(
        sequenceNumber: Int,
        method: String,
        uri: String,
        headers: [(name: String, value: String)],
        body: [UInt8]
    ) {
        self.sequenceNumber = sequenceNumber
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
        let (path, query) = RecordedRequest.split(uri: uri)
        self.path = path
        self.queryItems = RecordedRequest.parse(query: query)
    }

    /// The body decoded as UTF-8 (invalid sequences replaced).
    public var bodyString: String {
        String(decoding: body, as: UTF8.self)
    }

    /// The first value of the header `name` (case-insensitive), or `nil`.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    /// All values of the header `name` (case-insensitive), in order.
    public func headerValues(_ name: String) -> [String] {
        let lowered = name.lowercased()
        return headers.filter { $0.name.lowercased() == lowered }.map(\.value)
    }

    /// The first value of the query item `name`, or `nil`.
    public func queryItem(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }

    /// The body parsed with `JSONSerialization` when it is a JSON object, otherwise `nil`.
    public func jsonObject() -> [String: Any]? {
        guard !body.isEmpty else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }

    /// The body parsed as ``WireJSON``, or `nil` when it is empty or not valid JSON.
    public var json: WireJSON? {
        body.isEmpty ? nil : WireJSON(parsing: body)
    }

    private static func split(uri: String) -> (path: String, query: String?) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, nil) }
        return (String(uri[..<mark]), String(uri[uri.index(after: mark)...]))
    }

    private static func parse(query: String?) -> [(name: String, value: String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(parts[0])
            let value = parts.count > 1 ? decode(parts[1]) : ""
            return (name, value)
        }
    }

    private static func decode(_ component: Substring) -> String {
        let text = String(component)
        return text.removingPercentEncoding ?? text
    }
}

extension RecordedRequest: CustomStringConvertible {
    /// `"METHOD uri"` followed by the body text.
    public var description: String {
        "\(method) \(uri) \(bodyString)"
    }
}
