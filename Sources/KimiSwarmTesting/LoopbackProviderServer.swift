import NIOCore
import NIOHTTP1
import NIOPosix

/// A real HTTP/1.1 server on `127.0.0.1` that speaks the OpenAI chat-completions and Anthropic
/// Messages wire formats, for tests and offline demos.
///
/// Scripted responses (``FakeResponse``) are consumed one per request in FIFO order; when the
/// queue is empty a deterministic echo model answers ("Echo: <last user text>"): chat
/// completions, Anthropic messages, models and embeddings, with SSE streaming when the request
/// asks for it, and a tool call when tools are offered and the user says "use tool". Every request is recorded for later inspection.
///
/// ```swift
/// try await LoopbackProviderServer.withServer { server in
///     server.enqueue(OpenAIWire.chatCompletion(content: "Hi"))
///     // point the client at server.baseURL + "/v1" ...
///     let request = server.recordedRequests()[0]
/// }
/// ```
public final class LoopbackProviderServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let serverChannel: any Channel
    private let state: ServerState

    /// The TCP port the server listens on.
    public let port: Int

    private init(group: MultiThreadedEventLoopGroup, serverChannel: any Channel, state: ServerState, port: Int) {
        self.group = group
        self.serverChannel = serverChannel
        self.state = state
        self.port = port
    }

    /// Starts a server on `127.0.0.1`; `port` 0 (the default) picks an ephemeral port.
    public static func start(port: Int = 0) async throws -> LoopbackProviderServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let state = ServerState()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                guard state.register(channel) else {
                    return channel.close()
                }
                channel.closeFuture.whenComplete { _ in state.unregister(channel) }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withPipeliningAssistance: true,
                        withErrorHandling: true
                    )
                    try channel.pipeline.syncOperations.addHandler(HTTPHandler(state: state))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: "127.0.0.1", port: port).get()
            let boundPort = channel.localAddress?.port ?? port
            return LoopbackProviderServer(group: group, serverChannel: channel, state: state, port: boundPort)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Runs `body` with a started server and always shuts the server down afterwards,
    /// also when `body` throws.
    public static func withServer<T: Sendable>(
        port: Int = 0,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (LoopbackProviderServer) async throws -> T
    ) async throws -> T {
        let server = try await start(port: port)
        let result: T
        do {
            result = try await body(server)
        } catch {
            try? await server.shutdown()
            throw error
        }
        try await server.shutdown()
        return result
    }

    /// `"http://127.0.0.1:PORT"` (no trailing slash, no `/v1`).
    public var baseURL: String {
        "http://127.0.0.1:\(port)"
    }

    /// `baseURL` followed by `path` (which should start with `/`), e.g. `url("/v1")`.
    public func url(_ path: String) -> String {
        baseURL + path
    }

    /// Stops listening and closes every connection, including hung and delayed responses.
    /// Connections closed this way are not counted as client disconnects. Idempotent.
    public func shutdown() async throws {
        guard let channels = state.beginShutdown() else { return }
        try? await serverChannel.close()
        for channel in channels {
            try? await channel.close()
        }
        try await group.shutdownGracefully()
    }

    // MARK: - Scripting

    /// Queues scripted responses; each incoming request consumes the next one (FIFO).
    /// When the queue is empty, the echo model answers.
    public func enqueue(_ responses: FakeResponse...) {
        state.enqueue(responses)
    }

    /// Queues scripted responses; each incoming request consumes the next one (FIFO).
    /// When the queue is empty, the echo model answers.
    public func enqueue(_ responses: [FakeResponse]) {
        state.enqueue(responses)
    }

    /// Number of queued responses not consumed yet.
    public var pendingResponseCount: Int {
        state.pendingResponseCount
    }

    /// Drops the queued responses not consumed yet.
    public func clearQueue() {
        state.clearQueue()
    }

    /// Installs a responder that answers each request for which no scripted response is
    /// queued; returning `nil` falls back to the echo model. It runs on an event loop: keep it
    /// quick and free of blocking. Used for parallel callers, whose order a FIFO cannot script.
    public func setResponder(_ responder: (@Sendable (RecordedRequest) -> FakeResponse?)?) {
        state.setResponder(responder)
    }

    /// Makes the echo model answer every request after `latency` (like a real model's time
    /// to answer); `.zero` answers at once again. Replaces any responder.
    public func setEchoLatency(_ latency: Duration) {
        guard latency != .zero else { return state.setResponder(nil) }
        state.setResponder { request -> FakeResponse? in FakeResponse.delayed(latency, EchoModel.response(for: request)) }
    }

    /// Installs (or removes, with `nil`) a callback invoked on the server's event loop
    /// for every request received, after it is recorded. Keep it fast and non-blocking.
    public func setRequestObserver(_ observer: (@Sendable (RecordedRequest) -> Void)?) {
        state.setObserver(observer)
    }

    /// Installs (or removes, with `nil`) a callback told how the answer to each request ended
    /// (completed, cut, reset, or the client went away), with the request's
    /// ``RecordedRequest/sequenceNumber``. It runs on the server's event loop: keep it fast and
    /// non-blocking. Not called during shutdown.
    public func setResponseObserver(_ observer: (@Sendable (Int, ResponseOutcome) -> Void)?) {
        state.setOutcomeObserver(observer)
    }

    // MARK: - Inspection

    /// Every request received so far, in order.
    public func recordedRequests() -> [RecordedRequest] {
        state.requests
    }

    /// The most recent request received, if any.
    public var lastRequest: RecordedRequest? {
        state.requests.last
    }

    /// Number of requests received so far.
    public var requestCount: Int {
        state.requestCount
    }

    /// Number of responses the server could not finish because the client closed the connection
    /// early (a write failed or the connection went away while a stream, delayed or hung
    /// response was still in progress). Server-initiated closes (`cutAfter`, `reset`,
    /// shutdown) are not counted.
    public var clientDisconnectsDuringResponse: Int {
        state.clientDisconnects
    }

    /// Forgets the recorded requests and resets ``clientDisconnectsDuringResponse`` to zero.
    public func clearRecordedRequests() {
        state.clearRecords()
    }

    /// Suspends until ``clientDisconnectsDuringResponse`` is at least `n` or `timeout` elapses;
    /// returns whether the count was reached.
    public func waitForClientDisconnects(_ n: Int, timeout: Duration) async -> Bool {
        await poll(timeout: timeout) { self.clientDisconnectsDuringResponse >= n }
    }

    /// Suspends until ``requestCount`` is at least `n` or `timeout` elapses;
    /// returns whether the count was reached.
    public func waitForRequests(_ n: Int, timeout: Duration) async -> Bool {
        await poll(timeout: timeout) { self.requestCount >= n }
    }

    private func poll(timeout: Duration, until condition: () -> Bool) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            if condition() { return true }
            let now = clock.now
            if now >= deadline || Task.isCancelled { return condition() }
            let pause = min(Duration.milliseconds(5), now.duration(to: deadline))
            try? await Task.sleep(for: pause)
        }
    }
}
