import Foundation
import KimiSwarmCore
@testable import KimiSwarmPlatform
import KimiSwarmServer
import Testing

/// The server against malformed, slow, idle and too many connections, over raw sockets.
/// Timeouts are short here (1 to 2 s); the bounds the tests wait for are generous (5 to 10 s),
/// so that a loaded machine does not make them fail.
@Suite("HTTP hardening: malformed requests, timeouts, connection cap")
struct HTTPHardeningTests {
    /// A TLS ClientHello's first bytes: what a client configured for https:// sends to this
    /// plain-HTTP port.
    static let tlsClientHello: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03] + Array(repeating: 0x2a, count: 32)
        + [0x00, 0x00, 0x20, 0xc0, 0x2b, 0xc0, 0x2f, 0xc0, 0x2c, 0xc0, 0x30, 0xcc, 0xa9, 0xcc, 0xa8]

    /// The malformed requests of the audit, with the statuses that answer them.
    static let malformedRequests: [(name: String, bytes: [UInt8], statuses: Set<Int>)] = [
        ("a header of 100 KB", Array("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 100_000))\r\n\r\n".utf8), [431]),
        ("a URL of 200 KB", Array("GET /\(String(repeating: "a", count: 200_000)) HTTP/1.1\r\nHost: x\r\n\r\n".utf8), [414]),
        ("a NUL byte in a header", Array("GET /health HTTP/1.1\r\nHost: x\r\nX-Nul: a".utf8) + [0] + Array("b\r\n\r\n".utf8), [400]),
        ("a TLS ClientHello", tlsClientHello, [400]),
        ("HTTP/9.9", Array("GET /health HTTP/9.9\r\nHost: x\r\n\r\n".utf8), [505]),
        ("garbage", Array("\u{1}\u{2} hello\r\n\r\n".utf8), [400]),
    ]

    @Test("each malformed request is answered with its 4xx (505 for the version) and closed by the server")
    func malformedRequests() async throws {
        try await withTestServer(.sqlite, workers: 0, configure: { $0.settings.idleTimeout = .seconds(60) }) { server in
            for request in Self.malformedRequests {
                let client = try await RawTCPClient.connect(port: server.port)
                await client.send(request.bytes)
                let closed = await client.waitForClose(timeout: .seconds(5))
                #expect(closed, "\(request.name): the server did not close the connection")
                #expect(client.status.map(request.statuses.contains) == true, "\(request.name): answered \(client.text.prefix(40))")
                #expect(client.text.contains("Connection: close"))
            }
            // After a first good request on a keep-alive connection, too.
            let client = try await RawTCPClient.connect(port: server.port)
            await client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await client.waitFor("HTTP/1.1 200", timeout: .seconds(5)))
            await client.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Nul: a\0b\r\n\r\n")
            #expect(await client.waitForClose(timeout: .seconds(5)))
            #expect(client.text.contains("HTTP/1.1 400"))
        }
    }

    @Test("a client that trickles its headers is answered 408 and closed after the request timeout")
    func slowHeaders() async throws {
        try await withTestServer(
            .sqlite, workers: 0, configure: { $0.settings.requestTimeout = .seconds(1); $0.settings.idleTimeout = .seconds(60) }
        ) { server in
            let client = try await RawTCPClient.connect(port: server.port)
            let started = ContinuousClock.now
            await client.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            // A byte every 100 ms, never the blank line that ends the head.
            while !client.isClosed, ContinuousClock.now - started < .seconds(10) {
                await client.send("a")
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(client.isClosed)
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(client.status == 408)
        }
    }

    @Test("a client that trickles its body is answered 408 and closed after the request timeout")
    func slowBody() async throws {
        try await withTestServer(
            .sqlite, workers: 0, configure: { $0.settings.requestTimeout = .seconds(1); $0.settings.idleTimeout = .seconds(60) }
        ) { server in
            let client = try await RawTCPClient.connect(port: server.port)
            let started = ContinuousClock.now
            await client.send(
                "POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(server.adminKey)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"task\": \"")
            while !client.isClosed, ContinuousClock.now - started < .seconds(10) {
                await client.send("a")
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(client.isClosed)
            #expect(client.status == 408)
        }
    }

    @Test("idle connections are closed after the idle timeout: one that never sent a byte, and one after its response")
    func idleConnections() async throws {
        try await withTestServer(
            .sqlite, workers: 0, configure: { $0.settings.idleTimeout = .seconds(1); $0.settings.requestTimeout = .seconds(60) }
        ) { server in
            let silent = try await RawTCPClient.connect(port: server.port)
            let answered = try await RawTCPClient.connect(port: server.port)
            await answered.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await answered.waitFor("HTTP/1.1 200", timeout: .seconds(5)))
            #expect(await silent.waitForClose(timeout: .seconds(6)))
            #expect(silent.text.isEmpty)
            #expect(await answered.waitForClose(timeout: .seconds(6)))
        }
    }

    @Test("over server.max_connections a new connection is answered 503 and closed; the open ones keep working")
    func connectionCap() async throws {
        try await withTestServer(
            .sqlite, workers: 0, configure: { $0.settings.maxConnections = 3; $0.settings.idleTimeout = .seconds(60) }
        ) { server in
            var open: [RawTCPClient] = []
            for _ in 0..<3 {
                let client = try await RawTCPClient.connect(port: server.port)
                await client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(await client.waitFor("HTTP/1.1 200", timeout: .seconds(5)))
                open.append(client)
            }
            let refused = try await RawTCPClient.connect(port: server.port)
            #expect(await refused.waitForClose(timeout: .seconds(5)))
            #expect(refused.status == 503)
            #expect(refused.text.contains("Retry-After: 1"))
            for client in open {
                await client.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                let twice = await waitUntil(timeout: .seconds(5)) { client.text.components(separatedBy: "HTTP/1.1 200").count == 3 }
                #expect(twice, "a connection under the cap stopped working")
            }
            // Once one closes, a new connection is served again.
            await open[0].close()
            let served = await waitUntil(timeout: .seconds(5)) {
                guard let client = try? await RawTCPClient.connect(port: server.port) else { return false }
                await client.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                _ = await client.waitForClose(timeout: .seconds(5))
                return client.status == 200
            }
            #expect(served)
            for client in open { await client.close() }
        }
    }

    @Test(
        "300 malformed connections at once are all answered and closed within seconds; the open files come back",
        .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/fd"), "counts /proc/self/fd"))
    func flood() async throws {
        try await withTestServer(.sqlite, workers: 0, configure: { $0.settings.idleTimeout = .seconds(60) }) { server in
            let filesBefore = openFileCount()
            let started = ContinuousClock.now
            let outcomes = try await withThrowingTaskGroup(of: (closed: Bool, status: Int?).self) { group in
                for index in 0..<300 {
                    group.addTask {
                        let client = try await RawTCPClient.connect(port: server.port)
                        await client.send(index.isMultiple(of: 2) ? Self.tlsClientHello : Array("GET / HTTP/9.9\r\n\r\n".utf8))
                        let closed = await client.waitForClose(timeout: .seconds(10))
                        return (closed, client.status)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let elapsed = ContinuousClock.now - started
            #expect(outcomes.filter(\.closed).count == 300)
            #expect(outcomes.filter { [400, 505].contains($0.status ?? 0) }.count == 300)
            #expect(elapsed < .seconds(10))
            // Every socket to the server is gone, and the process's open files are back where they were
            // (other tests running at the same time open files too: hence the margin).
            #expect(await waitUntil(timeout: .seconds(5)) { openSocketCount(port: server.port) == 0 })
            let settled = await waitUntil(timeout: .seconds(5)) { openFileCount() <= filesBefore + 50 }
            #expect(settled, "open files: \(filesBefore) before, \(openFileCount()) after")
        }
    }
}

/// Polls `condition` every 50 ms until it holds or `timeout` passes; returns whether it held.
func waitUntil(timeout: Duration, _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return await condition()
}

/// The TCP sockets this process has open to or from `port` (the listening one left out),
/// from `/proc/self/fd` and `/proc/net/tcp[6]`.
func openSocketCount(port: Int) -> Int {
    var inodes = Set<String>()
    for file in ["/proc/net/tcp", "/proc/net/tcp6"] {
        guard let table = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count > 9, fields[3] != "0A" else { continue }  // 0A: LISTEN
            let ports = [fields[1], fields[2]].compactMap { $0.split(separator: ":").last.flatMap { Int($0, radix: 16) } }
            if ports.contains(port) { inodes.insert(String(fields[9])) }
        }
    }
    let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return descriptors.filter { descriptor in
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(descriptor)") else { return false }
        return target.hasPrefix("socket:[") && inodes.contains(String(target.dropFirst(8).dropLast()))
    }.count
}
