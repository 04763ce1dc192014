import Logging
import NIOCore
import NIOHTTP1

/// The first handler of every HTTP connection's pipeline (it sees the raw bytes): it owns the
/// connection's deadlines (request and idle timeouts), answers what Hummingbird leaves
/// unanswered (parse errors before the first request, requests too slow to arrive) and closes
/// the connection, and closes it when the client goes away in the middle of a request.
///
/// ``HTTPExchangeTracker`` tells it where requests and responses begin and end,
/// ``HTTPParseErrorCatcher`` hands it the HTTP decoder's errors. Its decisions are made by
/// ``ConnectionStateMachine``; this class only does the I/O.
///
/// An error answer is written as raw bytes, then the connection's output is closed (the client
/// reads the answer and an end of stream) while its input is still read and dropped for
/// ``HTTPConnectionLimits/lingerTimeout`` at most, so that the answer is not lost to a reset.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private var state: ConnectionStateMachine
    private let maxHeaderFieldSize: Int
    private let logger: Logger
    private var context: ChannelHandlerContext?
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?
    /// The length of the connection's first line so far, and whether it ended: a header
    /// overflow inside it is a URL too long (414), not headers too large (431).
    private var firstLineLength = 0
    private var firstLineEnded = false

    init(limits: HTTPConnectionLimits, logger: Logger) {
        self.state = ConnectionStateMachine(
            requestTimeout: TimeAmount(limits.requestTimeout), idleTimeout: TimeAmount(limits.idleTimeout),
            lingerTimeout: TimeAmount(limits.lingerTimeout), now: .now())
        self.maxHeaderFieldSize = limits.maxHeaderFieldSize
        self.logger = logger
    }

    // MARK: Reports from the other handlers

    /// Hummingbird set the connection up for plain HTTP.
    func httpStarted() {
        state.httpStarted()
    }

    /// The connection became a WebSocket.
    func upgraded() {
        state.upgraded()
        reschedule()
    }

    func requestHead() {
        state.requestHead(now: .now())
        reschedule()
    }

    func requestEnd() {
        state.requestEnd()
        reschedule()
    }

    func responseHead(isInformational: Bool) {
        state.responseHead(isInformational: isInformational)
    }

    func responseEnd() {
        perform(state.responseEnd(now: .now()))
    }

    /// The HTTP decoder failed on what the client sent.
    func parseError(_ error: HTTPParserError) {
        let requestLineTooLong = state.phase == .awaitingFirstRequest && firstLineLength > maxHeaderFieldSize
        let rejection = HTTPRejection.forParseError(error, requestLineTooLong: requestLineTooLong)
        logger.debug("malformed HTTP request", metadata: ["error": "\(error)", "answer": "\(rejection)"])
        perform(state.parseError(rejection, now: .now()))
    }

    // MARK: ChannelHandler

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { reschedule() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        reschedule()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.closed(now: .now())
        cancelTimer()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard state.bytesReceived(now: .now()) else { return }  // closing: dropped
        if state.phase == .awaitingFirstRequest && !firstLineEnded {
            let buffer = unwrapInboundIn(data)
            if let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                firstLineLength += newline - buffer.readerIndex
                firstLineEnded = true
            } else {
                firstLineLength += buffer.readableBytes
            }
        }
        reschedule()
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        var action = ConnectionStateMachine.Action.none
        if let event = event as? ChannelEvent, event == .inputClosed {
            action = state.inputClosed(now: .now())
            if action == .close { logger.debug("the client closed its side in the middle of a request: closing, its work is cancelled") }
        } else if event is ChannelShouldQuiesceEvent {
            action = state.quiesce(now: .now())
        }
        guard action == .none else { return perform(action) }
        context.fireUserInboundEventTriggered(event)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        // The server closing the input itself (Hummingbird does when its task is cancelled,
        // at the shutdown deadline) is not the client going away: its response still goes out.
        if mode == .input { state.inputClosedByServer() }
        context.close(mode: mode, promise: promise)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // Once an error answer is written, nothing else is (a handler still running finds the
        // connection closed).
        guard state.phase != .closing else {
            promise?.fail(ChannelError.outputClosed)
            return
        }
        context.write(data, promise: promise)
    }

    // MARK: Deadlines and actions

    private func perform(_ action: ConnectionStateMachine.Action) {
        guard let context else { return }
        switch action {
        case .none:
            reschedule()
        case .close:
            cancelTimer()
            // A response's end may have been written and not flushed yet (this runs from the
            // tracker's `write`): flushed first, so that it is not dropped by the close.
            context.flush()
            context.close(promise: nil)
        case .reject(let rejection):
            reschedule()  // the linger deadline
            let closeOutput = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(rejection.bytes)), promise: nil)
            // Output closed after the answer is flushed (the client reads it, then EOF); the
            // channel closes fully when the client closes its side too, or at the linger deadline.
            context.close(mode: .output, promise: closeOutput)
            closeOutput.futureResult.assumeIsolated().whenFailure { _ in context.close(promise: nil) }
        }
    }

    /// Keeps one timer at the state's deadline. A deadline that moved later leaves the timer
    /// as it is (no rescheduling on every read): when it fires, the state finds its deadline
    /// not reached and the timer is set again.
    private func reschedule() {
        guard let context, context.channel.isActive else { return }
        guard let deadline = state.deadline else { return cancelTimer() }
        if let timerDeadline, timerDeadline <= deadline { return }
        cancelTimer()
        timerDeadline = deadline
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            self.timer = nil
            self.timerDeadline = nil
            let action = self.state.timerFired(now: .now())
            if action == .reject(.requestTimeout) { self.logger.debug("a request did not arrive within the request timeout: answering 408") }
            self.perform(action)
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
        timerDeadline = nil
    }
}
