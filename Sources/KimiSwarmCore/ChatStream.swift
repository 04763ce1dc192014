/// A streamed chat completion: an `AsyncSequence` of ``ChatStreamEvent``s ending with
/// `.finished`.
///
/// Nothing happens until iteration starts; each iteration makes its own request. Stopping
/// early (leaving the loop, or cancelling the task) closes the upstream connection.
public struct ChatStream: AsyncSequence, Sendable {
    public typealias Element = ChatStreamEvent

    private let makeProducer: @Sendable () -> any ChatStreamProducer

    /// Creates a stream whose iterations each draw from a new producer.
    public init(_ makeProducer: @escaping @Sendable () -> any ChatStreamProducer) {
        self.makeProducer = makeProducer
    }

    /// A stream that replays recorded events (for caches and tests).
    public static func replaying(_ events: [ChatStreamEvent]) -> ChatStream {
        ChatStream { ReplayProducer(events: events) }
    }

    /// A stream that fails with `error` on its first step.
    public static func failing(_ error: any Error & Sendable) -> ChatStream {
        ChatStream { FailingProducer(error: error) }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(producer: makeProducer())
    }

    /// Iterates a ``ChatStream``.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var producer: any ChatStreamProducer

        public mutating func next() async throws -> ChatStreamEvent? {
            try await producer.next()
        }
    }

    /// Consumes the stream and returns its final response.
    public func collect() async throws -> ChatResponse {
        var last: ChatResponse?
        for try await event in self {
            if case .finished(let response) = event { last = response }
        }
        guard let last else {
            throw KimiSwarmError(
                category: .provider, message: "the stream ended without a final response",
                recoveryHint: "Retry the request; the provider closed the stream early.")
        }
        return last
    }
}

/// The source of a ``ChatStream``'s events: one per iteration.
public protocol ChatStreamProducer {
    /// The next event, or `nil` after the last one.
    mutating func next() async throws -> ChatStreamEvent?
}

private struct ReplayProducer: ChatStreamProducer {
    var events: [ChatStreamEvent]
    var position = 0

    mutating func next() async throws -> ChatStreamEvent? {
        try Task.checkCancellation()
        guard position < events.count else { return nil }
        defer { position += 1 }
        return events[position]
    }
}

private struct FailingProducer: ChatStreamProducer {
    let error: any Error & Sendable
    var failed = false

    mutating func next() async throws -> ChatStreamEvent? {
        if failed { return nil }
        failed = true
        throw error
    }
}
