import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Tells the connection's ``ConnectionGuard`` where each request and response begins and
/// ends. Hummingbird adds it (as one of its `additionalChannelHandlers`) once a connection is
/// set up for plain HTTP, after the HTTP/1 codec: it only ever sees HTTP parts, never a
/// WebSocket's bytes. It changes nothing that passes through.
final class HTTPExchangeTracker: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var connectionGuard: ConnectionGuard?

    init() {}

    func handlerAdded(context: ChannelHandlerContext) {
        connectionGuard = try? context.pipeline.syncOperations.handler(type: ConnectionGuard.self)
        connectionGuard?.httpStarted()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        connectionGuard = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: connectionGuard?.requestHead()
        case .body: break
        case .end: connectionGuard?.requestEnd()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            connectionGuard?.responseHead(isInformational: head.status.kind == .informational)
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            // Reported once the end is on its way: the guard may then close the connection
            // (the server is shutting down) or answer a pipelined request it could not parse.
            context.write(data, promise: promise)
            connectionGuard?.responseEnd()
        }
    }
}
