public import Hummingbird
public import HummingbirdCore
public import HummingbirdWebSocket
public import Logging
public import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1.1 channel with WebSocket upgrade, hardened: every connection is
/// bounded in time and number, malformed requests are answered and closed, and a request's
/// work is cancelled when its client goes away.
///
/// What Hummingbird 2.28 (with hummingbird-websocket 2.8) does on its own, and what this adds:
/// - Before a connection's first complete request head, nothing answers or times out: the
///   upgrade handler waits for that head, ignores the decoder's errors, and Hummingbird's idle
///   timer is only added with the head. A malformed request (header too large, NUL byte, TLS
///   ClientHello, `HTTP/9.9`) or a client that sends nothing or trickles its headers keeps the
///   connection open forever. ``ConnectionGuard`` times out the request (408) and the idle
///   connection, and answers parse errors (400, 414, 431, 505), before and after the first
///   request alike.
/// - No limit on the number of connections: here, one over ``HTTPConnectionLimits/maxConnections``
///   is answered 503 and closed, without reaching Hummingbird.
/// - A route handler runs in the connection's task and is not cancelled when the client goes
///   away: it runs to the end (an LLM call included), and only its first write fails. Here the
///   connection's task is cancelled as soon as the connection closes, and the guard closes it
///   when the client closes its side in the middle of a request (as nginx does), so the
///   handler, and a streamed response body, stop at their next cancellation point.
public struct GuardedHTTPChannel: ServerChildChannel {
    /// A connection: Hummingbird's, or `nil` for one refused over the connection cap.
    public struct Value: ServerChildChannelValue {
        public let channel: any Channel
        let base: HTTP1WebSocketUpgradeChannel.Value?
        /// The outcome of the first request (plain HTTP or WebSocket); it fails when the
        /// connection closed before one arrived.
        let firstRequest: EventLoopFuture<HTTP1WebSocketUpgradeChannel.UpgradeResult>?
    }

    let base: HTTP1WebSocketUpgradeChannel
    let limits: HTTPConnectionLimits
    let connections: ConnectionCounter

    init(base: HTTP1WebSocketUpgradeChannel, limits: HTTPConnectionLimits, connections: ConnectionCounter) {
        self.base = base
        self.limits = limits
        self.connections = connections
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard connections.tryOpen() else {
            logger.debug("connection refused: server.max_connections reached", metadata: ["limit": "\(limits.maxConnections)"])
            return channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(ConnectionRefuser())
                return Value(channel: channel, base: nil, firstRequest: nil)
            }
        }
        let connections = self.connections
        channel.closeFuture.whenComplete { _ in connections.closed() }
        do {
            try channel.pipeline.syncOperations.addHandler(ConnectionGuard(limits: limits, logger: logger))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let decoder = try? pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(HTTPParseErrorCatcher(), position: decoder.map { .after($0) } ?? .last)
            let upgrader = try? pipeline.handler(type: NIOTypedHTTPServerUpgradeHandler<HTTP1WebSocketUpgradeChannel.UpgradeResult>.self)
            if let upgrader, let connectionGuard = try? pipeline.handler(type: ConnectionGuard.self) {
                let bound = NIOLoopBound(connectionGuard, eventLoop: channel.eventLoop)
                upgrader.upgradeResultFuture.whenSuccess { result in
                    if case .websocket = result { bound.value.upgraded() }
                }
            }
            return Value(channel: channel, base: value, firstRequest: upgrader?.upgradeResultFuture)
        }
    }

    public func handle(value: Value, logger: Logger) async {
        guard let baseValue = value.base else { return }  // refused over the cap
        let base = self.base
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // A connection closed before its first request (malformed, too slow, idle, or
                // gone) leaves Hummingbird nothing to do (it would log an error for it).
                if let firstRequest = value.firstRequest, (try? await firstRequest.get()) == nil { return }
                await base.handle(value: baseValue, logger: logger)
            }
            group.addTask { await Self.waitUntilClosed(value.channel) }
            // Whichever ends first: the connection's work, or the connection (then the work,
            // a route handler included, is cancelled).
            await group.next()
            group.cancelAll()
        }
    }

    /// Returns when `channel` has closed, or when the task is cancelled.
    static func waitUntilClosed(_ channel: any Channel) async {
        let (closed, continuation) = AsyncStream<Void>.makeStream()
        channel.closeFuture.whenComplete { _ in continuation.finish() }
        for await _ in closed {}
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with WebSocket upgrade, as Hummingbird's `http1WebSocketUpgrade`, under
    /// `limits` (see ``GuardedHTTPChannel``).
    public static func guardedHTTP1WebSocketUpgrade<WSResponderBuilder: HTTPResponderBuilder & SendableMetatype>(
        webSocketRouter: WSResponderBuilder, configuration: HTTP1WebSocketUpgradeChannel.Configuration, limits: HTTPConnectionLimits
    ) -> HTTPServerBuilder where WSResponderBuilder.Responder.Context: WebSocketRequestContext {
        let webSocketResponder = webSocketRouter.buildResponder()
        let connections = ConnectionCounter(limit: limits.maxConnections)
        let additional = configuration.http1.additionalChannelHandlers
        var http1 = configuration.http1
        http1.additionalChannelHandlers = { additional() + [HTTPExchangeTracker()] }
        let guarded = HTTP1WebSocketUpgradeChannel.Configuration(http1: http1, ws: configuration.ws)
        return HTTPServerBuilder { responder in
            GuardedHTTPChannel(
                base: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder, configuration: guarded),
                limits: limits, connections: connections)
        }
    }
}
