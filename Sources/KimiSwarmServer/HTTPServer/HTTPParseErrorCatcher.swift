import NIOCore
import NIOHTTP1

/// Sits right after the HTTP decoder and hands its parse errors to the connection's
/// ``ConnectionGuard``, which answers them (400, 414, 431, 505) and closes the connection.
///
/// Without it, a parse error before a connection's first complete request head reaches no
/// one: Hummingbird's WebSocket upgrade handler, which waits for that head, ignores errors,
/// so the connection stays open, unanswered, forever. (After the first request Hummingbird
/// answers 400 itself; the guard answering every parse error keeps one behaviour.)
///
/// It reads no data: what passes through is forwarded untouched, whatever its type, so it
/// is harmless once the connection became a WebSocket.
final class HTTPParseErrorCatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private var connectionGuard: ConnectionGuard?

    init() {}

    func handlerAdded(context: ChannelHandlerContext) {
        connectionGuard = try? context.pipeline.syncOperations.handler(type: ConnectionGuard.self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        connectionGuard = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let connectionGuard else { return context.fireErrorCaught(error) }
        switch error {
        case let error as HTTPParserError:
            connectionGuard.parseError(error)
        case is ByteToMessageDecoderError:
            // The decoder failed earlier (data after a parse error, or a partial request at
            // the end of the stream): the guard already answered, or the connection is closing.
            break
        default:
            context.fireErrorCaught(error)
        }
    }
}
