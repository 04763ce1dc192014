import Foundation
import KimiSwarmCore
import NIOHTTP1
import Testing

/// What the security suite (scripts/security) found, kept fixed: every wrong value is a 4xx
/// that names its field, and nothing of a body is silently ignored when it has the wrong type.
@Suite("Security suite findings")
struct FuzzFindingsTests {
    @Test("a fractional or too large integer is a 400 naming the field, not 'the body is not valid JSON'")
    func integerFieldsNameThemselves() async throws {
        try await withTestServer(.sqlite, workers: 0) { server in
            let cases: [(HTTPMethod, String, String, String)] = [
                (.PUT, "/api/v1/quota", #"{"max_concurrent_runs": 0.5}"#, "max_concurrent_runs"),
                (.PUT, "/api/v1/quota", #"{"requests_per_minute": 9223372036854775808}"#, "requests_per_minute"),
                (.PUT, "/api/v1/plans/fuzz", #"{"name": "Fuzz", "limits": {"daily_token_limit": 1e308}}"#, "limits.daily_token_limit"),
                (.POST, "/api/v1/runs/estimate", #"{"task": "t", "budgets": {"max_tokens": -1e308}}"#, "budgets.max_tokens"),
                (.POST, "/api/v1/runs", #"{"task": "t", "budgets": {"concurrency": 1.5}}"#, "budgets.concurrency"),
            ]
            for (method, path, body, field) in cases {
                let response = try await server.request(method, path, key: server.adminKey, body: body)
                #expect(response.status == 400, "\(path) \(body): \(response.body)")
                let message = response.json?["error"]?["message"]?.stringValue ?? ""
                #expect(message.contains("`\(field)`"), "\(path) \(body): \(message)")
                #expect(!message.contains("not valid JSON"), "\(path) \(body): \(message)")
            }
        }
    }

    @Test("the event stream checks `after` also when Last-Event-ID is sent, and takes digits only")
    func eventStreamCursor() async throws {
        try await withTestServer(.sqlite, workers: 0) { server in
            let created = try await server.request(.POST, "/api/v1/runs", key: server.adminKey, body: #"{"task": "a run to read"}"#)
            let id = try #require(created.json?["id"]?.stringValue)
            let bad = try await server.request(.GET, "/api/v1/runs/\(id)/events?after=null", key: server.adminKey, headers: ["Last-Event-ID": "0"])
            #expect(bad.status == 400)
            #expect(bad.json?["error"]?["message"]?.stringValue?.contains("`after`") == true)
            let signed = try await server.request(.GET, "/api/v1/runs/\(id)/events", key: server.adminKey, headers: ["Last-Event-ID": "+5"])
            #expect(signed.status == 400)
            #expect(signed.json?["error"]?["message"]?.stringValue?.contains("`Last-Event-ID`") == true)
        }
    }

    @Test("the gateway refuses fields of the wrong type instead of ignoring them")
    func gatewayWrongTypes() async throws {
        try await withTestServer(.sqlite, workers: 0) { server in
            let message = #""messages": [{"role": "user", "content": "hi"}]"#
            let chat: [(String, String)] = [
                (#"{\#(message), "tools": {}}"#, "tools"),
                (#"{\#(message), "stream_options": 5}"#, "stream_options"),
                (#"{"messages": [{"role": "assistant", "content": "x", "tool_calls": "x"}]}"#, "messages[0].tool_calls"),
                (#"{\#(message), "max_tokens": "x", "max_completion_tokens": 5}"#, "max_tokens"),
            ]
            for (body, param) in chat {
                let response = try await server.request(.POST, "/v1/chat/completions", key: server.adminKey, body: body)
                #expect(response.status == 400, "\(body): \(response.body)")
                #expect(response.json?["error"]?["param"]?.stringValue == param, "\(body): \(response.body)")
            }
            let embeddings: [(String, String)] = [
                (#"{"model": "m", "input": "x", "encoding_format": 5}"#, "encoding_format"),
                (#"{"model": "m", "input": "x", "user": 5}"#, "user"),
            ]
            for (body, param) in embeddings {
                let response = try await server.request(.POST, "/v1/embeddings", key: server.adminKey, body: body)
                #expect(response.status == 400, "\(body): \(response.body)")
                #expect(response.json?["error"]?["param"]?.stringValue == param, "\(body): \(response.body)")
            }
        }
    }
}
