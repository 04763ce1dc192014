import KimiSwarmCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One response as read from the wire (the body possibly cut at the byte limit).
struct HTTPGetResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: [UInt8]
    /// The body went past the byte limit and the connection was closed.
    var truncated: Bool
    /// The connection ended before the body was complete.
    var incomplete: Bool
}

/// A connection that could not be established (the next checked address may be tried).
struct HTTPGetConnectFailure: Error {
    var message: String
}

/// One GET request over one new connection to one already-checked address. The name in the
/// URL is used only for the `Host` header and for TLS (SNI and certificate verification);
/// it is never resolved again here.
struct HTTPGetConnection {
    var url: HTTPGetURL
    var address: IPAddress
    var connectTimeout: Duration
    var maxBytes: Int
    var userAgent: String
    var group: any EventLoopGroup

    /// The client TLS context (system trust roots, full verification), built once.
    private static let tlsContext = Result { () throws -> NIOSSLContext in
        try NIOSSLContext(configuration: .makeClientConfiguration())
    }

    func fetch() async throws -> HTTPGetResponse {
        let socketAddress = try SocketAddress(ipAddress: address.description, port: url.port)
        var tls: NIOSSLContext?
        if url.scheme == .https {
            do {
                tls = try Self.tlsContext.get()
            } catch {
                throw ToolError("https is unavailable: the TLS trust roots could not be loaded (\(error))")
            }
        }
        var serverHostname: String?
        if case .name(let name) = url.host { serverHostname = name }
        let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.nanoseconds(Self.nanoseconds(connectTimeout)))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(to: socketAddress) { [tls, serverHostname] channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls {
                            let handler = try NIOSSLClientHandler(context: tls, serverHostname: serverHostname)
                            try channel.pipeline.syncOperations.addHandler(handler)
                        }
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                            wrappingChannelSynchronously: channel
                        )
                    }
                }
        } catch ChannelError.connectTimeout {
            throw HTTPGetConnectFailure(
                message:
                    "connecting to \(address.uriHost):\(url.port) timed out after \(HTTPGetTool.seconds(connectTimeout))"
            )
        } catch {
            throw HTTPGetConnectFailure(message: "could not connect to \(address.uriHost):\(url.port) (\(error))")
        }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(.head(requestHead()))
            try await outbound.write(.end(nil))
            var head: HTTPResponseHead?
            var body: [UInt8] = []
            var truncated = false
            var complete = false
            reading: for try await part in inbound {
                switch part {
                case .head(let received):
                    if received.status.code < 200 { continue }  // informational, a real one follows
                    head = received
                    if HTTPGetRedirect.statusCodes.contains(received.status.code) { break reading }
                case .body(let buffer):
                    let room = max(0, maxBytes - body.count)
                    if buffer.readableBytes > room {
                        body.append(contentsOf: buffer.readableBytesView.prefix(room))
                        truncated = true
                        break reading
                    }
                    body.append(contentsOf: buffer.readableBytesView)
                case .end:
                    complete = true
                    break reading
                }
            }
            try Task.checkCancellation()
            guard let head else {
                throw ToolError("\(url.redacted): the server closed the connection without sending a response")
            }
            let redirect = HTTPGetRedirect.statusCodes.contains(head.status.code)
            return HTTPGetResponse(
                status: head.status, headers: head.headers, body: body, truncated: truncated,
                incomplete: !complete && !truncated && !redirect
            )
        }
    }

    private func requestHead() -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: url.authority)
        headers.add(name: "User-Agent", value: userAgent)
        headers.add(
            name: "Accept",
            value: "text/html, text/plain, text/markdown, application/json, application/xml;q=0.9, */*;q=0.5"
        )
        headers.add(name: "Accept-Encoding", value: "identity")
        headers.add(name: "Connection", value: "close")
        if let authorization = url.basicAuthorization { headers.add(name: "Authorization", value: authorization) }
        return HTTPRequestHead(version: .http1_1, method: .GET, uri: url.target, headers: headers)
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(0, seconds) * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
