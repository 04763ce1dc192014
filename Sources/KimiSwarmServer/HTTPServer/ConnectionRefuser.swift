import NIOCore

/// The only handler of a connection over the cap: it answers 503 and closes it at once,
/// reading nothing.
final class ConnectionRefuser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var answered = false

    init() {}

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { refuse(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        refuse(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Dropped: the connection is being closed.
    }

    private func refuse(_ context: ChannelHandlerContext) {
        guard !answered else { return }
        answered = true
        context.writeAndFlush(wrapOutboundOut(HTTPRejection.overCapacity.bytes)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
