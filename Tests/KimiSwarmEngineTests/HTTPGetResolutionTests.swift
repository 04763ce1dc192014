import KimiSwarmCore
import KimiSwarmEngine
import Synchronization
import Testing

/// The system resolver (only names from /etc/hosts and numeric hosts: no DNS traffic),
/// trying the next checked address, TLS errors and relative redirects.
@Suite(.timeLimit(.minutes(2))) struct HTTPGetResolutionTests {
    let context = ToolContext(runID: "r", agentID: "a", templateID: "t", stepID: "s")

    private struct TableResolver: HostResolver {
        var table: [String: [IPAddress]]
        func resolve(host: String, port: Int) async throws -> [IPAddress] {
            guard let addresses = table[host] else { throw ToolError("could not resolve \(host)") }
            return addresses
        }
    }

    private func message(of operation: () async throws -> String) async -> String {
        do {
            let text = try await operation()
            Issue.record("expected a ToolError, got: \(text.prefix(200))")
            return ""
        } catch let error as ToolError {
            return error.message
        } catch {
            Issue.record("expected a ToolError, got \(error)")
            return ""
        }
    }

    @Test func systemResolverResolvesLocalNames() async throws {
        let resolver = SystemHostResolver()
        #expect(try await resolver.resolve(host: "localhost", port: 80).contains(IPAddress("127.0.0.1")!))
        #expect(try await resolver.resolve(host: "127.0.0.1", port: 80) == [IPAddress("127.0.0.1")!])
        #expect(try await resolver.resolve(host: "::1", port: 80) == [IPAddress("::1")!])
    }

    @Test func allowListedNameFetchesThroughTheSystemResolver() async throws {
        let server = try await HTTPGetTestServer.start()
        defer { Task { await server.stop() } }
        let tool = HTTPGetTool(configuration: HTTPGetConfiguration(allowList: ["localhost"]))
        let text = try await tool.execute(["url": .string("http://localhost:\(server.port)/text")], context: context)
        #expect(text.hasPrefix("URL: http://localhost:\(server.port)/text  status: 200 OK"))
        #expect(server.requests(to: "/text").first?.headers["host"] == "localhost:\(server.port)")
    }

    @Test func triesTheNextCheckedAddressWhenOneDoesNotConnect() async throws {
        let server = try await HTTPGetTestServer.start()
        defer { Task { await server.stop() } }
        // The server listens on 127.0.0.1 only, so ::1 refuses the connection.
        let resolver = TableResolver(table: ["two.test": [IPAddress("::1")!, IPAddress("127.0.0.1")!]])
        let tool = HTTPGetTool(configuration: HTTPGetConfiguration(allowList: ["two.test"]), resolver: resolver)
        let text = try await tool.execute(["url": .string("http://two.test:\(server.port)/text")], context: context)
        #expect(text.contains("hello from the loopback server"))
    }

    @Test func httpsToAPlainServerIsAToolError() async throws {
        let server = try await HTTPGetTestServer.start()
        defer { Task { await server.stop() } }
        let tool = HTTPGetTool(configuration: HTTPGetConfiguration(allowList: ["127.0.0.1"]))
        let text = await message {
            try await tool.execute(["url": .string("https://127.0.0.1:\(server.port)/text")], context: context)
        }
        #expect(text.hasPrefix("fetching https://127.0.0.1:\(server.port)/text failed"), "\(text)")
    }

    @Test func relativeRedirectsAndNonASCIIPaths() async throws {
        let server = try await HTTPGetTestServer.start(routes: [
            "/dir/sub/rel": .redirect("../../text"),
            "/query": .redirect("?page=2"),
            "/query?page=2": .body("page two", contentType: "text/plain"),
            "/caf%C3%A9": .body("café", contentType: "text/plain; charset=utf-8"),
        ])
        defer { Task { await server.stop() } }
        let tool = HTTPGetTool(configuration: HTTPGetConfiguration(allowList: ["127.0.0.1"]))
        let base = "http://127.0.0.1:\(server.port)"
        let relative = try await tool.execute(["url": .string("\(base)/dir/sub/rel")], context: context)
        #expect(relative.hasPrefix("URL: \(base)/text  status: 200 OK"))
        let query = try await tool.execute(["url": .string("\(base)/query")], context: context)
        #expect(query.hasPrefix("URL: \(base)/query?page=2  status: 200 OK"))
        #expect(query.hasSuffix("\npage two"))
        let cafe = try await tool.execute(["url": .string("\(base)/café")], context: context)
        #expect(cafe.hasSuffix("\ncafé"))
    }

    @Test func userWithoutPasswordSendsAnEmptyPassword() async throws {
        let server = try await HTTPGetTestServer.start()
        defer { Task { await server.stop() } }
        let tool = HTTPGetTool(configuration: HTTPGetConfiguration(allowList: ["127.0.0.1"]))
        _ = try await tool.execute(["url": .string("http://alice@127.0.0.1:\(server.port)/text")], context: context)
        #expect(server.requests(to: "/text").first?.headers["authorization"] == "Basic YWxpY2U6")
    }
}
