import Foundation
import KimiSwarmCore
import KimiSwarmEngine
import Synchronization
import Testing

/// A resolver with a fixed table that counts its calls.
private final class FakeResolver: HostResolver {
    private let table: [String: [IPAddress]]
    private let calls = Mutex<[String]>([])

    init(_ table: [String: [IPAddress]]) { self.table = table }

    var resolved: [String] { calls.withLock { $0 } }

    func resolve(host: String, port: Int) async throws -> [IPAddress] {
        calls.withLock { $0.append(host) }
        guard let addresses = table[host] else { throw ToolError("could not resolve \(host): unknown name") }
        return addresses
    }
}

@Suite(.timeLimit(.minutes(2))) struct HTTPGetToolTests {
    let context = ToolContext(runID: "r", agentID: "a", templateID: "t", stepID: "s")
    static let loopbackOnly = HTTPGetConfiguration(allowList: ["127.0.0.1"])

    private func fetch(_ tool: HTTPGetTool, _ url: String, maxBytes: Int? = nil) async throws -> String {
        var arguments: [String: JSONValue] = ["url": .string(url)]
        if let maxBytes { arguments["max_bytes"] = .int(maxBytes) }
        return try await tool.execute(.object(arguments), context: context)
    }

    private func failure(_ tool: HTTPGetTool, _ url: String) async -> String {
        do {
            let text = try await fetch(tool, url)
            Issue.record("expected a ToolError for \(url), got: \(text.prefix(200))")
            return ""
        } catch let error as ToolError {
            return error.message
        } catch {
            Issue.record("expected a ToolError for \(url), got \(error)")
            return ""
        }
    }

    @Test func fetchesPlainTextAndJSONWithTheAllowList() async throws {
        let server = try await HTTPGetTestServer.start()
        defer { Task { await server.stop() } }
        let tool = HTTPGetTool(configuration: Self.loopbackOnly)
        let text = try await fetch(tool, "http://127.0.0.1:\(server.port)/text")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "URL: http://127.0.0.1:\(server.port)/text  status: 200 OK")
        #expect(text.contains("Content-Type: text/plain"))
        #expect(lines.last == "hello from the loopback server")
        #expect(server.requests(to: "/text").first?.headers["host"] == "127.0.0.1:\(server.port)")
        let json = try await fetch(tool, "http://127.0.0.1:\(server.port)/json?x=1#fragment")
        #expect(json.hasSuffix("{\"ok\":true}"))
        #expect(tool.name == "http_get")
        #expect(tool.parameters["required"] == ["url"])
    }

    @Test func defaultConfigurationRefusesLoopbackWithoutConnecting() async throws {
        let server = try await HTTPGetTestServer.start()
        defer { Task { await server.stop() } }
        let tool = HTTPGetTool()
        for host in ["127.0.0.1", "2130706433", "0x7f.0.0.1", "0177.0.0.1", "127.1", "[::ffff:127.0.0.1]"] {
            let message = await failure(tool, "http://\(host):\(server.port)/text")
            #expect(message.hasPrefix("refused: "), "\(message)")
            #expect(message.contains("loopback"), "\(message)")
        }
        #expect(await failure(tool, "http://localhost:\(server.port)/text").contains("localhost"))
        #expect(server.connectionsOpened == 0)
    }

    @Test func htmlBecomesReadableText() async throws {
        let server = try await HTTPGetTestServer.start()
        defer { Task { await server.stop() } }
        let text = try await fetch(
            HTTPGetTool(configuration: Self.loopbackOnly), "http://127.0.0.1:\(server.port)/html")
        #expect(text.contains("Title: Test & Page"))
        #expect(text.contains("Hello world"))
        #expect(text.contains("Fish & Chips <3 © ☺"))
        #expect(text.contains("one\ntwo"))
        for leaked in ["alert", "script text", "color: red", "noscript text", "secret comment", "<p>", "&amp;"] {
            #expect(!text.contains(leaked), "\(leaked) leaked into: \(text)")
        }
    }

    @Test func largeBodyIsCutAtMaxBytesWithANote() async throws {
        let server = try await HTTPGetTestServer.start()
        defer { Task { await server.stop() } }
        var configuration = Self.loopbackOnly
        configuration.maxBytes = 64 * 1024
        let text = try await fetch(HTTPGetTool(configuration: configuration), "http://127.0.0.1:\(server.port)/large")
        #expect(text.contains("[truncated: the body is larger than 65536 bytes"))
        #expect(text.count < 70_000)
        #expect(text.contains(String(repeating: "a", count: 65536)))
        // The connection is closed once the limit is reached.
        try await waitUntil { server.connectionsOpened == 1 && server.connectionsClosed == 1 }

        let small = try await fetch(
            HTTPGetTool(configuration: Self.loopbackOnly), "http://127.0.0.1:\(server.port)/large", maxBytes: 1000)
        #expect(small.contains("only the first 1000 bytes were read"))
        #expect(small.count < 1300)
    }

    @Test func maxTextCharactersCutsTheText() async throws {
        let server = try await HTTPGetTestServer.start()
        defer { Task { await server.stop() } }
        var configuration = Self.loopbackOnly
        configuration.maxTextCharacters = 10
        let text = try await fetch(HTTPGetTool(configuration: configuration), "http://127.0.0.1:\(server.port)/text")
        #expect(text.contains("hello from\n"))
        #expect(text.contains("[truncated: the text is longer than 10 characters"))
    }

    @Test func slowBodyTimesOutAndClosesTheConnection() async throws {
        let server = try await HTTPGetTestServer.start()
        defer { Task { await server.stop() } }
        var configuration = Self.loopbackOnly
        configuration.timeout = .seconds(1)
        let start = ContinuousClock.now
        let message = await failure(HTTPGetTool(configuration: configuration), "http://127.0.0.1:\(server.port)/slow")
        #expect(message.hasPrefix("timed out"), "\(message)")
        #expect(ContinuousClock.now - start < .seconds(15))
        try await waitUntil { server.connectionsClosed == server.connectionsOpened }
        #expect(server.connectionsOpened == 1)
    }

    @Test func cancellingTheCallerClosesTheConnection() async throws {
        let server = try await HTTPGetTestServer.start()
        defer { Task { await server.stop() } }
        let tool = HTTPGetTool(configuration: Self.loopbackOnly)
        let url = "http://127.0.0.1:\(server.port)/slow"
        let context = context
        let task = Task { try await tool.execute(["url": .string(url)], context: context) }
        try await waitUntil { !server.requests(to: "/slow").isEmpty }
        let start = ContinuousClock.now
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ContinuousClock.now - start < .seconds(10))
        try await waitUntil { server.connectionsClosed == 1 }
    }

    @Test func redirectToAnotherOriginDropsCredentials() async throws {
        let target = try await HTTPGetTestServer.start()
        defer { Task { await target.stop() } }
        let origin = try await HTTPGetTestServer.start(routes: [
            "/away": .redirect("http://127.0.0.1:\(target.port)/echo", status: 302)
        ])
        defer { Task { await origin.stop() } }
        let tool = HTTPGetTool(configuration: Self.loopbackOnly)
        let text = try await fetch(tool, "http://user:hunter2@127.0.0.1:\(origin.port)/away")
        #expect(text.hasPrefix("URL: http://127.0.0.1:\(target.port)/echo  status: 200 OK"))
        #expect(text.contains("Redirected 1 time from http://127.0.0.1:\(origin.port)/away"))
        #expect(!text.contains("hunter2"))
        #expect(origin.requests(to: "/away").first?.headers["authorization"] == "Basic dXNlcjpodW50ZXIy")
        #expect(target.requests(to: "/echo").count == 1)
        #expect(target.requests(to: "/echo").first?.headers["authorization"] == nil)
    }

    @Test func redirectOnTheSameOriginKeepsCredentials() async throws {
        let server = try await HTTPGetTestServer.start()
        defer { Task { await server.stop() } }
        let text = try await fetch(
            HTTPGetTool(configuration: Self.loopbackOnly), "http://user:hunter2@127.0.0.1:\(server.port)/here")
        #expect(text.hasPrefix("URL: http://127.0.0.1:\(server.port)/echo  status: 200 OK"))
        #expect(server.requests(to: "/echo").first?.headers["authorization"] == "Basic dXNlcjpodW50ZXIy")
    }

    @Test func redirectsToRefusedAddressesAreNotFollowed() async throws {
        let server = try await HTTPGetTestServer.start(routes: [
            "/to-decimal": .redirect("http://2130706433:1/"),
            "/to-https-metadata": .redirect("https://[::ffff:a9fe:a9fe]/"),
        ])
        defer { Task { await server.stop() } }
        let tool = HTTPGetTool(configuration: HTTPGetConfiguration(allowList: ["127.0.0.1/32"]))
        let base = "http://127.0.0.1:\(server.port)"
        let metadata = await failure(tool, "\(base)/to-metadata")
        #expect(metadata.contains("redirected to http://169.254.169.254/latest/meta-data/, which was not fetched"))
        #expect(metadata.contains("refused: 169.254.169.254 is a cloud metadata address"))
        let mapped = await failure(tool, "\(base)/to-https-metadata")
        #expect(mapped.contains("cloud metadata"), "\(mapped)")
        let privateAddress = await failure(tool, "\(base)/to-private")
        #expect(privateAddress.contains("10.0.0.1 is a private address (10.0.0.0/8)"))
        let file = await failure(tool, "\(base)/to-file")
        #expect(file.contains("\"file\" scheme is not supported"))
        // The decimal spelling is 127.0.0.1, which the allow-list opens: it is followed, and port 1 refuses.
        let decimal = await failure(tool, "\(base)/to-decimal")
        #expect(decimal.contains("could not connect to 127.0.0.1:1"), "\(decimal)")
        #expect(server.connectionsOpened == 5)
    }

    @Test func redirectLoopStopsAtMaxRedirects() async throws {
        let server = try await HTTPGetTestServer.start()
        defer { Task { await server.stop() } }
        var configuration = Self.loopbackOnly
        configuration.maxRedirects = 3
        let message = await failure(HTTPGetTool(configuration: configuration), "http://127.0.0.1:\(server.port)/loop")
        #expect(message.hasPrefix("too many redirects"), "\(message)")
        #expect(message.contains("more than 3 times"))
        #expect(server.requests(to: "/loop").count == 4)
    }

    @Test func binaryContentAndErrorStatusesAreToolErrors() async throws {
        let server = try await HTTPGetTestServer.start()
        defer { Task { await server.stop() } }
        let tool = HTTPGetTool(configuration: Self.loopbackOnly)
        let base = "http://127.0.0.1:\(server.port)"
        #expect(await failure(tool, "\(base)/image").hasPrefix("binary content (image/png) not returned"))
        #expect(await failure(tool, "\(base)/pdf").hasPrefix("binary content (application/pdf) not returned"))
        let missing = await failure(tool, "\(base)/missing")
        #expect(missing.hasPrefix("HTTP 404 Not Found from \(base)/missing"), "\(missing)")
    }

    @Test func onlyHTTPAndHTTPSSchemes() async {
        let tool = HTTPGetTool(resolver: FakeResolver([:]))
        for url in [
            "file:///etc/passwd", "ftp://example.com/file", "gopher://example.com:70/_x", "data:text/plain,hello",
            "javascript:alert(1)", "example.com/page", "//example.com/", "http:example.com", "",
        ] {
            let message = await failure(tool, url)
            #expect(message.contains("http"), "\(url): \(message)")
        }
        #expect(await failure(tool, "FTP://example.com/").contains("\"ftp\" scheme is not supported"))
    }

    @Test func messagesNeverRepeatCredentials() async {
        let tool = HTTPGetTool(resolver: FakeResolver(["internal.example": [IPAddress("10.0.0.5")!]]))
        for url in [
            "http://admin:hunter2@10.0.0.5/", "http://admin:hunter2@internal.example/x",
            "https://admin:hunter2@[::1]/", "ftp://admin:hunter2@example.com/",
        ] {
            let message = await failure(tool, url)
            #expect(!message.contains("hunter2"), "\(message)")
            #expect(message.hasPrefix("refused: "), "\(message)")
        }
        let message = await failure(tool, "http://admin:hunter2@10.0.0.5/")
        #expect(message == "refused: 10.0.0.5 is a private address (10.0.0.0/8); only public addresses may be fetched")
    }

    @Test func nameResolvingToABlockedAddressIsRefusedWithoutConnecting() async throws {
        let server = try await HTTPGetTestServer.start()
        defer { Task { await server.stop() } }
        let resolver = FakeResolver([
            "rebind.test": [IPAddress("127.0.0.1")!],
            "mixed.test": [IPAddress("93.184.216.34")!, IPAddress("10.0.0.1")!],
            "v6.test": [IPAddress("::ffff:127.0.0.1")!],
        ])
        let tool = HTTPGetTool(resolver: resolver)
        let rebind = await failure(tool, "http://rebind.test:\(server.port)/text")
        #expect(
            rebind
                == "refused: rebind.test resolved to 127.0.0.1, which is a loopback address (127.0.0.0/8); only public addresses may be fetched"
        )
        #expect(
            await failure(tool, "http://mixed.test:\(server.port)/text").contains("mixed.test resolved to 10.0.0.1"))
        #expect(await failure(tool, "http://v6.test:\(server.port)/text").contains("embedding 127.0.0.1"))
        #expect(await failure(tool, "http://unknown.test/").contains("could not resolve unknown.test"))
        #expect(server.connectionsOpened == 0)
    }

    @Test func resolvesOncePerHopAndConnectsToTheCheckedAddress() async throws {
        let server = try await HTTPGetTestServer.start()
        defer { Task { await server.stop() } }
        // public.test exists only in this resolver, so reaching the server proves the connection
        // went to the checked address, not to the name resolved again.
        let resolver = FakeResolver(["public.test": [IPAddress("127.0.0.1")!]])
        let tool = HTTPGetTool(configuration: HTTPGetConfiguration(allowList: ["127.0.0.0/8"]), resolver: resolver)
        let text = try await fetch(tool, "http://public.test:\(server.port)/here")
        #expect(text.hasPrefix("URL: http://public.test:\(server.port)/echo  status: 200 OK"))
        #expect(resolver.resolved == ["public.test", "public.test"])
        #expect(server.requests.map(\.path) == ["/here", "/echo"])
        #expect(server.requests.allSatisfy { $0.headers["host"] == "public.test:\(server.port)" })
    }

    @Test func closedPortIsAConnectError() async throws {
        let server = try await HTTPGetTestServer.start()
        let port = server.port
        await server.stop()
        let message = await failure(HTTPGetTool(configuration: Self.loopbackOnly), "http://127.0.0.1:\(port)/text")
        #expect(message.contains("could not connect to 127.0.0.1:\(port)"), "\(message)")
    }

    @Test func badArguments() async {
        let tool = HTTPGetTool()
        await #expect(throws: ToolError.self) { try await tool.execute([:], context: context) }
        await #expect(throws: ToolError.self) {
            try await tool.execute(["url": "https://example.com/", "max_bytes": 0], context: context)
        }
    }

    private func waitUntil(_ condition: @Sendable () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("condition not met within 10 s")
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
