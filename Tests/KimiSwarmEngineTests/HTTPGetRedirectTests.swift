import KimiSwarmCore
import Testing

@testable import KimiSwarmEngine

/// The pure redirect and URL rules (the https cases need no TLS server here).
@Suite struct HTTPGetRedirectTests {
    private func url(_ text: String) throws -> HTTPGetURL { try HTTPGetURL(parsing: text) }

    private func refusal(_ current: HTTPGetURL, _ location: String) -> String {
        do {
            let next = try HTTPGetRedirect.next(from: current, location: location)
            Issue.record("expected a refusal, got \(next.redacted)")
            return ""
        } catch {
            return error.message
        }
    }

    @Test func httpsToHTTPDowngradeIsRefused() throws {
        let current = try url("https://alice:s3cret@docs.example.com/a")
        let message = refusal(current, "http://docs.example.com/b")
        #expect(
            message
                == "refused: https://docs.example.com/a redirected to http://docs.example.com/b, a downgrade from https to http"
        )
        // A scheme-relative Location keeps https, so it is no downgrade.
        #expect(try HTTPGetRedirect.next(from: current, location: "//docs.example.com/b").scheme == .https)
    }

    @Test func credentialsStayWithTheirOrigin() throws {
        let current = try url("https://alice:s3cret@docs.example.com/dir/page")
        #expect(try HTTPGetRedirect.next(from: current, location: "/other").credentials == "alice:s3cret")
        #expect(
            try HTTPGetRedirect.next(from: current, location: "sibling").redacted
                == "https://docs.example.com/dir/sibling")
        #expect(
            try HTTPGetRedirect.next(from: current, location: "https://docs.example.com:443/x").credentials
                == "alice:s3cret")
        #expect(try HTTPGetRedirect.next(from: current, location: "https://docs.example.com:8443/x").credentials == nil)
        #expect(try HTTPGetRedirect.next(from: current, location: "https://cdn.example.com/x").credentials == nil)
        #expect(try HTTPGetRedirect.next(from: current, location: "//cdn.example.com/x").credentials == nil)
        let plain = try url("http://bob:pw@example.com/")
        #expect(try HTTPGetRedirect.next(from: plain, location: "https://example.com/").credentials == nil)
        #expect(try HTTPGetRedirect.next(from: plain, location: "https://example.com/").scheme == .https)
    }

    @Test func locationsWithOtherSchemesAreRefused() throws {
        let current = try url("http://example.com/")
        #expect(refusal(current, "file:///etc/passwd").contains("\"file\" scheme is not supported"))
        #expect(refusal(current, "gopher://example.com/").contains("\"gopher\" scheme is not supported"))
        #expect(refusal(current, "http://evil.example\\@127.0.0.1/").contains("backslashes"))
    }

    @Test func urlParsing() throws {
        let parsed = try url("HTTP://User:P%40ss@Example.COM.:8080/a/b?q=1#frag")
        #expect(parsed.scheme == .http)
        #expect(parsed.host == .name("example.com"))
        #expect(parsed.port == 8080)
        #expect(parsed.target == "/a/b?q=1")
        #expect(parsed.credentials == "User:P@ss")
        #expect(parsed.redacted == "http://example.com:8080/a/b?q=1")
        #expect(parsed.authority == "example.com:8080")
        #expect(try url("https://[::1]:443").authority == "[::1]")
        #expect(try url("https://example.com?x").target == "/?x")
        #expect(try url("http://127.0.0.1:80@example.com/").host == .name("example.com"))
        #expect(throws: ToolError.self) { try url("http://example.com:0/") }
        #expect(throws: ToolError.self) { try url("http://example.com:65536/") }
        #expect(throws: ToolError.self) { try url("http://exa mple.com/") }
    }
}
