import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A loopback HTTP/1.1 server for the `http_get` tests. It serves fixed routes on
/// 127.0.0.1 (port 0) and records every request's path and headers, and how many
/// connections were opened and closed.
final class HTTPGetTestServer: Sendable {
    enum Route: Sendable {
        /// 200 with this body and content type.
        case body(String, contentType: String)
        /// 200 with `count` bytes of text.
        case large(count: Int)
        /// 200 with the head and one chunk, then nothing more (the body never ends).
        case hang
        /// A redirect with this status and `Location`.
        case redirect(String, status: Int = 302)
        /// A plain-text error page with this status.
        case status(Int)
        /// 200 with a few PNG-looking bytes.
        case binary(contentType: String)
    }

    struct Request: Sendable {
        var path: String
        /// Header names lower-cased.
        var headers: [String: String]
    }

    /// What the server saw, shared with its connections.
    private final class Recorder: Sendable {
        struct State {
            var requests: [Request] = []
            var opened = 0
            var closed = 0
        }

        let state = Mutex(State())

        func record(_ change: (inout State) -> Void) { state.withLock { change(&$0) } }
    }

    let port: Int
    private let channel: any Channel
    private let recorder: Recorder

    var requests: [Request] { recorder.state.withLock { $0.requests } }
    var connectionsOpened: Int { recorder.state.withLock { $0.opened } }
    var connectionsClosed: Int { recorder.state.withLock { $0.closed } }

    private init(channel: any Channel, recorder: Recorder) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
        self.recorder = recorder
    }

    func requests(to path: String) -> [Request] { requests.filter { $0.path == path } }

    static let defaultRoutes: [String: Route] = [
        "/text": .body("hello from the loopback server", contentType: "text/plain; charset=utf-8"),
        "/json": .body("{\"ok\":true}", contentType: "application/json"),
        "/html": .body(
            """
            <!DOCTYPE html>
            <html><head><title>Test &amp; Page</title>
            <style>body { color: red; }</style>
            <script>alert("script text");</script></head>
            <body><!-- a secret comment -->
            <h1>Hello   world</h1>
            <p>Fish &amp; Chips &lt;3 &#169; &#x263A;</p>
            <noscript>noscript text</noscript>
            <ul><li>one</li><li>two</li></ul>
            </body></html>
            """,
            contentType: "text/html; charset=utf-8"
        ),
        "/large": .large(count: 5_000_000),
        "/slow": .hang,
        "/missing": .status(404),
        "/image": .binary(contentType: "image/png"),
        "/pdf": .binary(contentType: "application/pdf"),
        "/here": .redirect("/echo", status: 301),
        "/loop": .redirect("/loop"),
        "/to-metadata": .redirect("http://169.254.169.254/latest/meta-data/"),
        "/to-private": .redirect("http://10.0.0.1/", status: 307),
        "/to-file": .redirect("file:///etc/passwd"),
        "/echo": .body("echo", contentType: "text/plain"),
    ]

    /// Starts a server with the default routes plus `routes` (a key with a query matches that exact target).
    static func start(routes: [String: Route] = [:]) async throws -> HTTPGetTestServer {
        let recorder = Recorder()
        let table = defaultRoutes.merging(routes) { $1 }
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                recorder.record { $0.opened += 1 }
                channel.closeFuture.whenComplete { _ in recorder.record { $0.closed += 1 } }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        Handler(routes: table, record: { request in recorder.record { $0.requests.append(request) } })
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return HTTPGetTestServer(channel: channel, recorder: recorder)
    }

    func stop() async {
        try? await channel.close()
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let routes: [String: Route]
        let record: @Sendable (Request) -> Void
        private var path = "/"
        private var uri = "/"

        init(routes: [String: Route], record: @escaping @Sendable (Request) -> Void) {
            self.routes = routes
            self.record = record
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                uri = head.uri
                path = String(head.uri.split(separator: "?", maxSplits: 1).first ?? "/")
                var headers: [String: String] = [:]
                for (name, value) in head.headers { headers[name.lowercased()] = value }
                record(Request(path: path, headers: headers))
            case .body:
                break
            case .end:
                respond(context: context, route: routes[uri] ?? routes[path] ?? .status(404))
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }

        private func respond(context: ChannelHandlerContext, route: Route) {
            switch route {
            case .body(let text, let contentType):
                send(context: context, status: .ok, contentType: contentType, body: Array(text.utf8))
            case .large(let count):
                var headers = HTTPHeaders([("Content-Type", "text/plain"), ("Content-Length", "\(count)")])
                headers.add(name: "Connection", value: "close")
                context.write(
                    wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))),
                    promise: nil)
                let chunk = ByteBuffer(repeating: UInt8(ascii: "a"), count: 64 * 1024)
                var left = count
                while left > 0 {
                    let size = min(left, chunk.readableBytes)
                    context.write(
                        wrapOutboundOut(.body(.byteBuffer(chunk.getSlice(at: 0, length: size)!))), promise: nil)
                    left -= size
                }
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            case .hang:
                let headers = HTTPHeaders([("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked")])
                context.write(
                    wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))),
                    promise: nil)
                context.writeAndFlush(
                    wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "the beginning...")))), promise: nil)
            case .redirect(let location, let status):
                let headers = HTTPHeaders([("Location", location), ("Content-Length", "0")])
                context.write(
                    wrapOutboundOut(
                        .head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers))),
                    promise: nil
                )
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            case .status(let code):
                send(
                    context: context, status: .init(statusCode: code), contentType: "text/plain",
                    body: Array("no such page".utf8))
            case .binary(let contentType):
                send(
                    context: context, status: .ok, contentType: contentType,
                    body: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0])
            }
        }

        private func send(
            context: ChannelHandlerContext, status: HTTPResponseStatus, contentType: String, body: [UInt8]
        ) {
            let headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", "\(body.count)")])
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
                promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
