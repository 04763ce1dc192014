import AsyncHTTPClient
import KimiSwarmCore
import NIOCore
import NIOHTTP1

/// Turns one provider's SSE events into ``ChatStreamEvent``s.
protocol StreamEventDecoder: Sendable {
    /// The events one SSE event yields. Throws the provider's in-stream errors.
    mutating func decode(_ event: ServerSentEvent) throws -> [ChatStreamEvent]
    /// `true` once the provider's end marker arrived (`[DONE]`, `message_stop`).
    var isDone: Bool { get }
    /// `true` once the answer is complete even without an end marker (a finish reason arrived).
    var isComplete: Bool { get }
    /// Events to emit when the stream ends (e.g. text held back by a filter).
    mutating func flush() -> [ChatStreamEvent]
    /// The assembled response.
    func finalResponse() -> ChatResponse
}

/// Drives a streamed HTTP response: reads body chunks with an idle timeout, parses SSE,
/// decodes events, and ends with `.finished`.
///
/// Nothing is sent until the first `next()`. Leaving the iteration early drops the body
/// iterator, and cancelling the task cancels the read; either way AsyncHTTPClient closes
/// the upstream connection.
struct SSEChatStreamProducer<Decoder: StreamEventDecoder>: ChatStreamProducer {
    private enum State {
        case idle
        case streaming(BodyReader)
        case draining(BodyReader)
        case finished
    }

    private let open: @Sendable () async throws -> HTTPClientResponse
    private let provider: ProviderConfiguration
    private var state: State = .idle
    private var parser = ServerSentEventParser()
    private var decoder: Decoder
    private var pending: [ChatStreamEvent] = []
    private var pendingIndex = 0
    private var started: ContinuousClock.Instant?
    private var receivedFirstChunk = false

    init(provider: ProviderConfiguration, decoder: Decoder, open: @escaping @Sendable () async throws -> HTTPClientResponse) {
        self.provider = provider
        self.decoder = decoder
        self.open = open
    }

    mutating func next() async throws -> ChatStreamEvent? {
        while true {
            if pendingIndex < pending.count {
                defer {
                    pendingIndex += 1
                    if pendingIndex == pending.count {
                        pending.removeAll(keepingCapacity: true)
                        pendingIndex = 0
                    }
                }
                return pending[pendingIndex]
            }
            switch state {
            case .finished:
                return nil
            case .idle:
                state = .finished
                started = ContinuousClock.now
                let response = try await open()
                state = .streaming(BodyReader(response.body.makeAsyncIterator()))
            case .streaming(let reader):
                state = .finished
                let chunk = try await readChunk(reader)
                receivedFirstChunk = true
                guard let chunk else {
                    if let event = parser.finish() { try decodeEvent(event) }
                    guard decoder.isComplete || decoder.isDone else {
                        throw ProviderErrorMapper.streamCut(provider: provider)
                    }
                    pending.append(contentsOf: decoder.flush())
                    pending.append(.finished(decoder.finalResponse()))
                    continue
                }
                for event in parser.feed(chunk.readableBytesView) {
                    try decodeEvent(event)
                    if decoder.isDone { break }
                }
                if decoder.isDone {
                    pending.append(contentsOf: decoder.flush())
                    pending.append(.finished(decoder.finalResponse()))
                    state = .draining(reader)
                } else {
                    state = .streaming(reader)
                }
            case .draining(let reader):
                // The answer is complete; read to the end so the connection can be reused,
                // but give up quickly on a server that keeps it open.
                state = .finished
                _ = try? await withTimeout(.seconds(2), timeoutError: { CancellationError() }) {
                    var drained = 0
                    while let chunk = try await reader.next() {
                        drained += chunk.readableBytes
                        if drained > 1_048_576 { break }
                    }
                    return drained
                }
                return nil
            }
        }
    }

    private mutating func decodeEvent(_ event: ServerSentEvent) throws {
        pending.append(contentsOf: try decoder.decode(event))
    }

    private func readChunk(_ reader: BodyReader) async throws -> ByteBuffer? {
        let provider = self.provider
        let elapsed = started.map { ContinuousClock.now - $0 } ?? .zero
        let remainingTotal = provider.requestTimeout - elapsed
        let (limit, what): (Duration, String)
        if !receivedFirstChunk, provider.firstByteTimeout - elapsed < remainingTotal {
            (limit, what) = (provider.firstByteTimeout - elapsed, "sent no first chunk within \(provider.firstByteTimeout)")
        } else if provider.streamIdleTimeout < remainingTotal {
            (limit, what) = (provider.streamIdleTimeout, "went silent for longer than \(provider.streamIdleTimeout)")
        } else {
            (limit, what) = (remainingTotal, "took longer than the request timeout of \(provider.requestTimeout)")
        }
        let timeoutError: @Sendable () -> KimiSwarmError = {
            KimiSwarmError(
                category: .timeout, message: "the stream \(what)",
                recoveryHint: "Retry, or raise the provider's timeouts in the config file.", provider: provider.id)
        }
        // A deadline already passed fails at once: raced against a zero timeout, a read of
        // data already buffered would win, and a stream that keeps talking would never end.
        guard limit > .zero else { throw timeoutError() }
        do {
            return try await withTimeout(limit, timeoutError: timeoutError, operation: { try await reader.next() })
        } catch is HTTPParserError {
            // The server closed the connection inside a chunked body.
            throw ProviderErrorMapper.streamCut(provider: provider)
        } catch let error as HTTPClientError where error == .remoteConnectionClosed {
            throw ProviderErrorMapper.streamCut(provider: provider)
        } catch {
            throw ProviderErrorMapper.mapTransport(error, provider: provider, phase: "reading the stream")
        }
    }
}

/// Owns a response body's iterator so that a timeout race can read it from a child task.
///
/// `@unchecked Sendable` because exactly one task reads at a time: the stream's consumer
/// awaits the child task that calls `next()`, and nothing else touches the iterator.
final class BodyReader: @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator

    init(_ iterator: HTTPClientResponse.Body.AsyncIterator) {
        self.iterator = iterator
    }

    func next() async throws -> ByteBuffer? {
        try await iterator.next()
    }
}
