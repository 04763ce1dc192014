import NIOCore
import NIOHTTP1

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-connection handler: collects each request, records it, and plays the scripted (or echo)
/// response. Runs entirely on the channel's event loop; `HTTPServerPipelineHandler` in front of
/// it serialises keep-alive / pipelined requests so only one response is in flight at a time.
final class HTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// How an SSE response is played.
    private struct StreamPlan {
        var events: [String]
        var interval: TimeAmount
        var cutAfter: Int?
        var splitEvents: Bool
        var stallAfter: Int?
    }

    /// Pause between the two halves of a split event.
    private static let splitPause = TimeAmount.milliseconds(2)

    private let state: ServerState
    private var requestHead: HTTPRequestHead?
    private var requestBody = ByteBuffer()
    private var keepAlive = true
    private var version = HTTPVersion.http1_1
    private var generation: UInt64 = 0
    /// Generation of the response currently being produced, `nil` when idle.
    private var activeResponse: UInt64?
    /// Sequence number of the request being answered, and the status of the head written for it.
    private var activeSequence = 0
    private var headStatus: Int?
    private var pendingTask: Scheduled<Void>?

    init(state: ServerState) {
        self.state = state
    }

    // MARK: - Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            requestHead = head
            requestBody.clear()
            if head.headers["expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                let interim = HTTPResponseHead(version: head.version, status: .continue)
                context.writeAndFlush(wrapOutboundOut(.head(interim)), promise: nil)
            }
        case .body(var chunk):
            requestBody.writeBuffer(&chunk)
        case .end:
            guard let head = requestHead else { return }
            requestHead = nil
            let body = Array(requestBody.readableBytesView)
            requestBody = ByteBuffer()
            handle(head: head, body: body, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if activeResponse != nil {
            activeResponse = nil
            state.recordClientDisconnect()
            state.recordOutcome(ResponseOutcome(kind: .clientClosed, status: headStatus), sequenceNumber: activeSequence)
        }
        pendingTask?.cancel()
        pendingTask = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func handle(head: HTTPRequestHead, body: [UInt8], context: ChannelHandlerContext) {
        keepAlive = head.isKeepAlive
        version = head.version
        let (request, scripted) = state.receive(
            method: head.method.rawValue,
            uri: head.uri,
            headers: head.headers.map { (name: $0.name, value: $0.value) },
            body: body
        )
        let response = scripted ?? EchoModel.response(for: request)
        generation &+= 1
        activeResponse = generation
        activeSequence = request.sequenceNumber
        headStatus = nil
        perform(response, generation: generation, context: context)
    }

    // MARK: - Responses

    private func perform(_ response: FakeResponse, generation: UInt64, context: ChannelHandlerContext) {
        guard activeResponse == generation else { return }
        switch response {
        case .json(let status, let body, let headers):
            sendComplete(status: status, body: body, contentType: "application/json",
                         headers: headers, generation: generation, context: context)
        case .raw(let status, let body, let contentType, let headers):
            sendComplete(status: status, body: body, contentType: contentType,
                         headers: headers, generation: generation, context: context)
        case .sse(let events, let status, let headers, let interval, let cutAfter, let splitEvents, let stallAfter):
            let plan = StreamPlan(events: events, interval: TimeAmount(interval),
                                  cutAfter: cutAfter, splitEvents: splitEvents, stallAfter: stallAfter)
            startStream(plan, status: status, headers: headers, generation: generation, context: context)
        case .incomplete(let status, let body, let headers, let sentBytes, let stalls):
            sendIncomplete(status: status, body: body, headers: headers, sentBytes: sentBytes, stalls: stalls,
                           generation: generation, context: context)
        case .reset:
            resetConnection(context: context)
        case .delayed(let delay, let inner):
            pendingTask = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(delay)) { [self] in
                pendingTask = nil
                perform(inner, generation: generation, context: context)
            }
        case .hang:
            break
        }
    }

    private func sendComplete(
        status: Int, body: String, contentType: String, headers: FakeHeaders,
        generation: UInt64, context: ChannelHandlerContext
    ) {
        var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
        buffer.writeString(body)
        let defaults = [("content-type", contentType), ("content-length", String(buffer.readableBytes))]
        let head = responseHead(status: status, defaults: defaults, extra: headers, streaming: false)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        writeEnd(generation: generation, context: context)
    }

    private func sendIncomplete(
        status: Int, body: String, headers: FakeHeaders, sentBytes: Int, stalls: Bool,
        generation: UInt64, context: ChannelHandlerContext
    ) {
        let bytes = Array(body.utf8)
        let sent = bytes.prefix(min(max(sentBytes, 0), bytes.count))
        let defaults = [("content-type", "application/json"), ("content-length", String(bytes.count))]
        let head = responseHead(status: status, defaults: defaults, extra: headers, streaming: false)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        write(.body(.byteBuffer(buffer(sent, context))), generation: generation, context: context) { [self] in
            guard !stalls else { return }
            // Abrupt cut: FIN before the announced length was written.
            activeResponse = nil
            state.recordOutcome(ResponseOutcome(kind: .cut, status: headStatus), sequenceNumber: activeSequence)
            context.close(promise: nil)
        }
    }

    private func startStream(
        _ plan: StreamPlan, status: Int, headers: FakeHeaders,
        generation: UInt64, context: ChannelHandlerContext
    ) {
        let defaults = [("content-type", "text/event-stream; charset=utf-8"), ("cache-control", "no-cache")]
        let head = responseHead(status: status, defaults: defaults, extra: headers, streaming: true)
        write(.head(head), generation: generation, context: context) { [self] in
            streamStep(plan, index: 0, generation: generation, context: context)
        }
    }

    private func streamStep(_ plan: StreamPlan, index: Int, generation: UInt64, context: ChannelHandlerContext) {
        guard activeResponse == generation else { return }
        if let stallAfter = plan.stallAfter, index >= stallAfter {
            return  // Silent from here on, the connection kept open, until the client gives up.
        }
        let limit = plan.cutAfter.map { min(max($0, 0), plan.events.count) } ?? plan.events.count
        guard index < limit else {
            if plan.cutAfter != nil {
                // Abrupt cut: the written events are flushed, then FIN without the last chunk.
                activeResponse = nil
                state.recordOutcome(ResponseOutcome(kind: .cut, status: headStatus), sequenceNumber: activeSequence)
                context.close(promise: nil)
            } else {
                writeEnd(generation: generation, context: context)
            }
            return
        }
        let next = { [self] in
            scheduleNextEvent(plan, index: index + 1, generation: generation, context: context)
        }
        let bytes = Array((plan.events[index] + "\n\n").utf8)
        guard plan.splitEvents, bytes.count > 1 else {
            write(.body(.byteBuffer(buffer(bytes[...], context))), generation: generation, context: context, then: next)
            return
        }
        let middle = bytes.count / 2
        write(.body(.byteBuffer(buffer(bytes[..<middle], context))), generation: generation, context: context) {
            [self] in
            pendingTask = context.eventLoop.assumeIsolated().scheduleTask(in: Self.splitPause) { [self] in
                pendingTask = nil
                guard activeResponse == generation else { return }
                write(.body(.byteBuffer(buffer(bytes[middle...], context))),
                      generation: generation, context: context, then: next)
            }
        }
    }

    private func scheduleNextEvent(_ plan: StreamPlan, index: Int, generation: UInt64, context: ChannelHandlerContext) {
        guard activeResponse == generation else { return }
        if plan.interval > .zero {
            pendingTask = context.eventLoop.assumeIsolated().scheduleTask(in: plan.interval) { [self] in
                pendingTask = nil
                streamStep(plan, index: index, generation: generation, context: context)
            }
        } else {
            // Hop through the loop so long streams do not grow the stack.
            context.eventLoop.assumeIsolated().execute { [self] in
                streamStep(plan, index: index, generation: generation, context: context)
            }
        }
    }

    private func resetConnection(context: ChannelHandlerContext) {
        activeResponse = nil
        state.recordOutcome(ResponseOutcome(kind: .reset, status: nil), sequenceNumber: activeSequence)
        let channel = context.channel
        guard let provider = channel as? any SocketOptionProvider else {
            context.close(promise: nil)
            return
        }
        provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    // MARK: - Writing helpers

    private func buffer(_ bytes: ArraySlice<UInt8>, _ context: ChannelHandlerContext) -> ByteBuffer {
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        return buffer
    }

    /// Writes and flushes one part; runs `then` on success, records a client disconnect on failure.
    private func write(
        _ part: HTTPServerResponsePart, generation: UInt64, context: ChannelHandlerContext,
        then: @escaping () -> Void
    ) {
        context.writeAndFlush(wrapOutboundOut(part)).assumeIsolated().whenComplete { [self] result in
            switch result {
            case .success:
                if activeResponse == generation { then() }
            case .failure:
                clientWentAway(generation: generation, context: context)
            }
        }
    }

    private func writeEnd(generation: UInt64, context: ChannelHandlerContext) {
        write(.end(nil), generation: generation, context: context) { [self] in
            activeResponse = nil
            state.recordOutcome(ResponseOutcome(kind: .completed, status: headStatus), sequenceNumber: activeSequence)
            if !keepAlive { context.close(promise: nil) }
        }
    }

    private func clientWentAway(generation: UInt64, context: ChannelHandlerContext) {
        guard activeResponse == generation else { return }
        activeResponse = nil
        state.recordClientDisconnect()
        state.recordOutcome(ResponseOutcome(kind: .clientClosed, status: headStatus), sequenceNumber: activeSequence)
        context.close(promise: nil)
    }

    private var isBeforeHTTP11: Bool {
        version.major < 1 || (version.major == 1 && version.minor < 1)
    }

    private func responseHead(
        status: Int, defaults: [(String, String)], extra: FakeHeaders, streaming: Bool
    ) -> HTTPResponseHead {
        headStatus = status
        if streaming && isBeforeHTTP11 {
            keepAlive = false  // no chunked encoding before HTTP/1.1: the close ends the body
        }
        var headers = HTTPHeaders()
        for (name, value) in defaults where extra.value(for: name) == nil {
            headers.add(name: name, value: value)
        }
        for field in extra.fields {
            headers.add(name: field.name, value: field.value)
        }
        if !keepAlive {
            headers.replaceOrAdd(name: "connection", value: "close")
        } else if isBeforeHTTP11 {
            headers.replaceOrAdd(name: "connection", value: "keep-alive")
        }
        return HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: status), headers: headers)
    }
}
