/// A scripted answer of the ``LoopbackProviderServer``.
///
/// Enqueue responses with `LoopbackProviderServer.enqueue(_:)`; each incoming request
/// consumes the next one in FIFO order. The wire helpers ``OpenAIWire`` and ``AnthropicWire``
/// build bodies and event lists in the providers' exact shapes.
public indirect enum FakeResponse: Sendable {
    /// A complete JSON response. `content-type: application/json` and `content-length` are added
    /// (a same-named entry in `headers` replaces the default).
    case json(status: Int = 200, body: String, headers: FakeHeaders = [])

    /// A complete response with an arbitrary body and content type.
    case raw(status: Int, body: String, contentType: String, headers: FakeHeaders = [])

    /// A server-sent-events stream (chunked transfer encoding, `content-type: text/event-stream`).
    ///
    /// Each element of `events` is one full event block *without* the trailing blank line, for
    /// example `"data: {...}"` or `"event: message_start\ndata: {...}"`. The server writes each
    /// event followed by `"\n\n"` and flushes, waiting `interval` between events.
    /// - `cutAfter`: when set, the server closes the TCP connection right after writing that many
    ///   events, without the terminating chunk (a stream cut mid-way).
    /// - `splitEvents`: when `true`, each event is written in two flushes split in the middle of
    ///   its bytes (about 2 ms apart), so clients must buffer partial lines.
    /// - `stallAfter`: when set, the server goes silent right after writing that many events and
    ///   keeps the connection open (a stream stalled mid-way), until the client gives up.
    case sse(
        events: [String],
        status: Int = 200,
        headers: FakeHeaders = [],
        interval: Duration = .zero,
        cutAfter: Int? = nil,
        splitEvents: Bool = false,
        stallAfter: Int? = nil
    )

    /// A JSON response whose head announces the whole `body` (`content-length`) but of which
    /// only the first `sentBytes` bytes are written; then the server closes the connection (a
    /// truncated body), or with `stalls` keeps it open and silent until the client gives up.
    case incomplete(status: Int = 200, body: String, headers: FakeHeaders = [], sentBytes: Int, stalls: Bool = false)

    /// Closes the connection right after reading the request without sending any response byte
    /// (the socket is closed with `SO_LINGER` 0, so the client sees a connection reset).
    case reset

    /// Waits before producing the wrapped response (slow first byte).
    case delayed(Duration, FakeResponse)

    /// Never answers, until the client gives up or the server shuts down.
    case hang
}
