import Foundation
import KimiSwarmCore
import NIOHTTP1
import Testing

/// A path the server has routes for, asked with a method none of them takes, answers 405 with
/// `Allow` (RFC 9110) and the error body, before authentication; an unknown path stays a 404.
@Suite("405 Method Not Allowed")
struct MethodNotAllowedTests {
    @Test("a method a path does not take is a 405 naming the methods it does take")
    func methodNotAllowed() async throws {
        try await withTestServer(.sqlite, workers: 0) { server in
            let cases: [(HTTPMethod, String, String)] = [
                (.TRACE, "/health", "GET"),
                (.PUT, "/api/v1/runs", "GET, POST"),
                (.DELETE, "/api/v1/runs/run_123", "GET"),
                (.GET, "/api/v1/runs/estimate", "POST"),
                (.POST, "/api/v1/tenants/default", "DELETE, GET, PATCH"),
                (.POST, "/v1/models", "GET"),
                (.HEAD, "/openapi.json", "GET"),
                (.TRACE, "/runs/new", "GET, POST"),
            ]
            for (method, path, allow) in cases {
                let response = try await server.request(method, path)
                #expect(response.status == 405, "\(method.rawValue) \(path)")
                #expect(response.header("allow") == allow, "\(method.rawValue) \(path)")
                if method != .HEAD {
                    #expect(response.errorType == "invalid_request", "\(method.rawValue) \(path)")
                    #expect(response.json?["error"]?["message"]?.stringValue?.contains(allow) == true, "\(method.rawValue) \(path)")
                }
            }
            // Gateway paths answer in OpenAI's error shape, like their other errors.
            let gateway = try await server.request(.DELETE, "/v1/chat/completions")
            #expect(gateway.status == 405)
            #expect(gateway.header("allow") == "POST")
            #expect(gateway.json?["error"]?["code"]?.stringValue == "invalid_request")
        }
    }

    @Test("unknown paths, and missing resources of known routes, stay 404")
    func notFound() async throws {
        try await withTestServer(.sqlite, workers: 0) { server in
            #expect(try await server.request(.TRACE, "/nowhere").status == 404)
            #expect(try await server.request(.GET, "/api/v1/nothing/here").status == 404)
            let missing = try await server.request(.GET, "/api/v1/runs/run_missing", key: server.adminKey)
            #expect(missing.status == 404)
            #expect(missing.header("allow") == nil)
            // The method a path takes still reaches its route (and its authentication).
            #expect(try await server.request(.GET, "/api/v1/runs").status == 401)
        }
    }
}
