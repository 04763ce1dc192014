import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A TCP client for tests that speak raw bytes to the server (malformed HTTP, slow clients):
/// it records what comes back and when the server closed the connection. Non-blocking (NIO),
/// so that many of them do not hold the test's threads.
final class RawTCPClient: Sendable {
    let channel: any Channel
    private let received: ReceivedBytes

    private init(channel: any Channel, received: ReceivedBytes) {
        self.channel = channel
        self.received = received
    }

    /// Connects to `127.0.0.1:port`.
    static func connect(port: Int) async throws -> RawTCPClient {
        let received = ReceivedBytes()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Recorder(received: received)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawTCPClient(channel: channel, received: received)
    }

    /// Sends `bytes`; `false` when the server had closed the connection already.
    @discardableResult
    func send(_ bytes: [UInt8]) async -> Bool {
        do {
            try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
            return true
        } catch {
            return false
        }
    }

    @discardableResult
    func send(_ text: String) async -> Bool { await send(Array(text.utf8)) }

    /// Everything received so far, as text (bytes that are not UTF-8 replaced).
    var text: String { String(decoding: received.bytes, as: UTF8.self) }

    /// The status code of the first response received, if one came.
    var status: Int? {
        let line = text.split(separator: "\r\n", maxSplits: 1).first ?? ""
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/") else { return nil }
        return Int(parts[1])
    }

    /// Whether the connection is closed (by the server, or by ``close()``).
    var isClosed: Bool { !channel.isActive }

    /// Waits until the server closes the connection, `timeout` at most; returns whether it
    /// did (if not, the connection is closed here).
    func waitForClose(timeout: Duration) async -> Bool {
        let channel = self.channel
        let closedByServer = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                try? await channel.closeFuture.get()
                return true
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            if !first { try? await channel.close() }  // ends the other task
            group.cancelAll()
            return first
        }
        return closedByServer
    }

    /// Waits until `text` contains `marker`, `timeout` at most.
    func waitFor(_ marker: String, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if text.contains(marker) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return text.contains(marker)
    }

    func close() async {
        try? await channel.close()
    }
}

/// What a ``RawTCPClient`` received.
private final class ReceivedBytes: Sendable {
    private let storage = Mutex<[UInt8]>([])

    var bytes: [UInt8] { storage.withLock { $0 } }

    func append(_ buffer: ByteBuffer) {
        storage.withLock { $0.append(contentsOf: buffer.readableBytesView) }
    }
}

private final class Recorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let received: ReceivedBytes

    init(received: ReceivedBytes) { self.received = received }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received.append(unwrapInboundIn(data))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset by the server: the connection closes.
        context.close(promise: nil)
    }
}

/// The number of file descriptors this process has open.
func openFileCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
}
