/// How the ``LoopbackProviderServer`` ended its answer to one request, reported to the
/// observer installed with `LoopbackProviderServer.setResponseObserver(_:)`.
///
/// A hung or stalled answer has no outcome until the client gives up (``Kind/clientClosed``).
public struct ResponseOutcome: Sendable, Hashable {
    /// The ways an answer ends.
    public enum Kind: String, Sendable, Hashable {
        /// The whole response was written, its last byte flushed.
        case completed
        /// The server closed the connection on purpose before the end (a stream cut without its
        /// last chunk, a truncated body).
        case cut
        /// The server reset the connection without answering (`FakeResponse.reset`).
        case reset
        /// The client closed the connection (or a write to it failed) before the answer ended.
        case clientClosed = "client_closed"
    }

    /// How the answer ended.
    public var kind: Kind
    /// The status code of the response head written, or `nil` when no head was written.
    public var status: Int?

    /// Creates an outcome.
    public init(kind: Kind, status: Int?) {
        self.kind = kind
        self.status = status
    }
}
