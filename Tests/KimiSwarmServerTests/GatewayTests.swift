import AsyncHTTPClient
import Foundation
import KimiSwarmClient
import KimiSwarmCore
@testable import KimiSwarmPlatform
import KimiSwarmServer
import KimiSwarmStore
import KimiSwarmTesting
import NIOCore
import NIOHTTP1
import Testing

extension JSONValue {
    /// The element at `index` when this is an array that long.
    subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }
}

/// The `data:` payloads of an SSE body, in order.
func sseData(_ body: String) -> [String] {
    body.components(separatedBy: "\n\n").compactMap { block in
        block.split(separator: "\n").first { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
    }
}

/// Polls the tenant's usage ledger until it holds `count` rows (the batch writer is asynchronous).
func waitForLedger(_ server: TestServer, tenantID: String, count: Int, timeout: Duration = .seconds(10)) async throws -> [UsageRecord] {
    let deadline = ContinuousClock.now + timeout
    var rows: [UsageRecord] = []
    while ContinuousClock.now < deadline {
        rows = try await server.store.usage.ledger(
            tenantID: tenantID, from: Date().addingTimeInterval(-3600), to: Date().addingTimeInterval(3600))
        if rows.count >= count { return rows }
        try await Task.sleep(for: .milliseconds(50))
    }
    return rows
}

@Suite("OpenAI-compatible gateway")
struct GatewayTests {
    static let hello = #"{"model":"kimi-k2.6","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hello gateway"}]}"#

    @Test("a plain chat completion answers in OpenAI's shape and is billed to the key", arguments: TestDatabase.available)
    func plainChat(database: TestDatabase) async throws {
        try await withTestServer(database) { server in
            let (tenantID, key) = try await server.tenant(role: .developer)
            let response = try await server.request(.POST, "/v1/chat/completions", key: key, body: Self.hello)
            #expect(response.status == 200)
            let json = try #require(response.json)
            #expect(json["object"]?.stringValue == "chat.completion")
            #expect(json["id"]?.stringValue?.isEmpty == false)
            #expect(json["created"]?.intValue != nil)
            #expect(json["model"]?.stringValue == "kimi-k2.6")
            let choice = try #require(json["choices"]?[0])
            #expect(choice["index"]?.intValue == 0)
            #expect(choice["message"]?["role"]?.stringValue == "assistant")
            #expect(choice["message"]?["content"]?.stringValue == "Echo: hello gateway")
            #expect(choice["finish_reason"]?.stringValue == "stop")
            let usage = try #require(json["usage"])
            let prompt = try #require(usage["prompt_tokens"]?.intValue)
            let completion = try #require(usage["completion_tokens"]?.intValue)
            #expect(usage["total_tokens"]?.intValue == prompt + completion)

            let rows = try await waitForLedger(server, tenantID: tenantID, count: 1)
            #expect(rows.count == 1)
            let row = try #require(rows.first)
            #expect(row.apiKeyID != nil)
            #expect(row.provider == "moonshot")
            #expect(row.model == "kimi-k2.6")
            #expect(row.usage.promptTokens == prompt && row.usage.completionTokens == completion)
            #expect(row.costUSD > 0)
        }
    }

    @Test("streaming relays SSE chunks, the usage chunk and [DONE]", arguments: TestDatabase.available)
    func streaming(database: TestDatabase) async throws {
        try await withTestServer(database) { server in
            let (tenantID, key) = try await server.tenant(role: .developer)
            let body = #"{"model":"kimi-k2.6","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"stream this answer please"}]}"#
            let response = try await server.request(.POST, "/v1/chat/completions", key: key, body: body)
            #expect(response.status == 200)
            #expect(response.header("content-type")?.hasPrefix("text/event-stream") == true)
            let events = sseData(response.body)
            #expect(events.last == "[DONE]")
            let chunks = events.dropLast().compactMap { try? JSONValue(parsing: $0) }
            #expect(chunks.count == events.count - 1)
            #expect(chunks.allSatisfy { $0["object"]?.stringValue == "chat.completion.chunk" })
            #expect(chunks.first?["choices"]?[0]?["delta"]?["role"]?.stringValue == "assistant")
            let text = chunks.compactMap { $0["choices"]?[0]?["delta"]?["content"]?.stringValue }.joined()
            #expect(text == "Echo: stream this answer please")
            #expect(chunks.contains { $0["choices"]?[0]?["finish_reason"]?.stringValue == "stop" })
            let usage = try #require(chunks.last?["usage"])
            #expect(chunks.last?["choices"]?.arrayValue?.isEmpty == true)
            #expect((usage["total_tokens"]?.intValue ?? 0) > 0)

            // Without include_usage there is no usage chunk, but the call is billed all the same.
            let plain = try await server.request(
                .POST, "/v1/chat/completions", key: key, body: #"{"model":"kimi-k2.6","stream":true,"messages":[{"role":"user","content":"again"}]}"#)
            let plainEvents = sseData(plain.body)
            #expect(plainEvents.last == "[DONE]")
            #expect(!plainEvents.contains { $0.contains("\"usage\"") })
            let rows = try await waitForLedger(server, tenantID: tenantID, count: 2)
            #expect(rows.count == 2)
            #expect(rows.allSatisfy { $0.usage.completionTokens > 0 })
        }
    }

    @Test("tool definitions go up, tool calls come back, tool results go up again (plain and streamed)", arguments: TestDatabase.available)
    func toolCalls(database: TestDatabase) async throws {
        try await withTestServer(database) { server in
            let (_, key) = try await server.tenant(role: .developer)
            let tools = #"[{"type":"function","function":{"name":"get_weather","description":"The weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]"#
            let first = try await server.request(
                .POST, "/v1/chat/completions", key: key,
                body: #"{"model":"kimi-k2.6","tools":\#(tools),"tool_choice":"auto","messages":[{"role":"user","content":"please use tool"}]}"#)
            #expect(first.status == 200)
            let upstream = try #require(server.provider.lastRequest?.bodyString)
            #expect(upstream.contains("get_weather"))
            let choice = try #require(first.json?["choices"]?[0])
            #expect(choice["finish_reason"]?.stringValue == "tool_calls")
            let call = try #require(choice["message"]?["tool_calls"]?[0])
            #expect(call["type"]?.stringValue == "function")
            #expect(call["function"]?["name"]?.stringValue == "get_weather")
            let arguments = try #require(call["function"]?["arguments"]?.stringValue)
            #expect((try? JSONValue(parsing: arguments))?["echo"]?.stringValue == "please use tool")
            let callID = try #require(call["id"]?.stringValue)

            let followUp = """
                {"model":"kimi-k2.6","tools":\(tools),"messages":[{"role":"user","content":"please use tool"},
                {"role":"assistant","content":null,"tool_calls":[{"id":"\(callID)","type":"function","function":{"name":"get_weather","arguments":\(JSONValue.string(arguments).canonicalText)}}]},
                {"role":"tool","tool_call_id":"\(callID)","content":"sunny"}]}
                """
            let second = try await server.request(.POST, "/v1/chat/completions", key: key, body: followUp)
            #expect(second.status == 200)
            let sent = try JSONValue(parsing: try #require(server.provider.lastRequest?.bodyString))
            #expect(sent["messages"]?[2]?["tool_call_id"]?.stringValue == callID)
            #expect(sent["messages"]?[1]?["tool_calls"]?[0]?["id"]?.stringValue == callID)
            #expect(second.json?["choices"]?[0]?["message"]?["content"]?.stringValue?.hasPrefix("Echo:") == true)

            let streamed = try await server.request(
                .POST, "/v1/chat/completions", key: key,
                body: #"{"model":"kimi-k2.6","stream":true,"tools":\#(tools),"messages":[{"role":"user","content":"please use tool"}]}"#)
            let chunks = sseData(streamed.body).dropLast().compactMap { try? JSONValue(parsing: $0) }
            let fragments = chunks.compactMap { $0["choices"]?[0]?["delta"]?["tool_calls"]?[0] }
            #expect(fragments.first?["function"]?["name"]?.stringValue == "get_weather")
            #expect(fragments.first?["id"]?.stringValue != nil)
            let joined = fragments.compactMap { $0["function"]?["arguments"]?.stringValue }.joined()
            #expect((try? JSONValue(parsing: joined))?["echo"]?.stringValue == "please use tool")
            #expect(chunks.contains { $0["choices"]?[0]?["finish_reason"]?.stringValue == "tool_calls" })
        }
    }

    @Test("/v1/models lists the configured providers' models; /v1/embeddings answers floats and base64")
    func modelsAndEmbeddings() async throws {
        try await withTestServer(.sqlite) { server in
            let (tenantID, key) = try await server.tenant(role: .developer)
            let models = try await server.request(.GET, "/v1/models", key: key)
            #expect(models.status == 200)
            #expect(models.json?["object"]?.stringValue == "list")
            let ids = models.json?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            #expect(ids.contains("kimi-k2.6"))
            #expect(models.json?["data"]?[0]?["object"]?.stringValue == "model")

            let embeddings = try await server.request(
                .POST, "/v1/embeddings", key: key, body: #"{"model":"text-embedding-3-small","input":["alpha","beta"]}"#)
            #expect(embeddings.status == 200)
            let data = try #require(embeddings.json?["data"]?.arrayValue)
            #expect(data.count == 2)
            #expect(data[1]["index"]?.intValue == 1)
            let vector = try #require(data[0]["embedding"]?.arrayValue)
            #expect(!vector.isEmpty)
            #expect(embeddings.json?["usage"]?["prompt_tokens"]?.intValue != nil)

            let encoded = try await server.request(
                .POST, "/v1/embeddings", key: key, body: #"{"model":"text-embedding-3-small","input":"alpha","encoding_format":"base64"}"#)
            let text = try #require(encoded.json?["data"]?[0]?["embedding"]?.stringValue)
            #expect(Data(base64Encoded: text)?.count == vector.count * 4)
            #expect(try await waitForLedger(server, tenantID: tenantID, count: 2).count == 2)
        }
    }

    @Test("over requests_per_minute: 429 with Retry-After naming the limit; another tenant is not affected", arguments: TestDatabase.available)
    func rateLimit(database: TestDatabase) async throws {
        try await withTestServer(database) { server in
            let (tenantID, key) = try await server.tenant(role: .developer)
            let (_, otherKey) = try await server.tenant(role: .developer)
            try await server.store.quotas.setQuota(tenantID: tenantID, limits: QuotaLimits(requestsPerMinute: 2))
            #expect(try await server.request(.POST, "/v1/chat/completions", key: key, body: Self.hello).status == 200)
            #expect(try await server.request(.POST, "/v1/chat/completions", key: key, body: Self.hello).status == 200)
            let limited = try await server.request(.POST, "/v1/chat/completions", key: key, body: Self.hello)
            #expect(limited.status == 429)
            #expect(limited.errorType == "rate_limit_exceeded")
            #expect(limited.json?["error"]?["code"]?.stringValue == "rate_limit_exceeded")
            #expect(limited.json?["error"]?["message"]?.stringValue?.contains("2 requests per minute") == true)
            let retryAfter = try #require(limited.header("retry-after").flatMap(Int.init))
            #expect((1...60).contains(retryAfter))
            // The REST API counts against the same limit.
            #expect(try await server.request(.GET, "/api/v1/runs", key: key).status == 429)
            #expect(try await server.request(.POST, "/v1/chat/completions", key: otherKey, body: Self.hello).status == 200)
        }
    }

    @Test("over the daily token limit: 429 quota_exceeded")
    func dailyTokens() async throws {
        try await withTestServer(.sqlite) { server in
            let (tenantID, key) = try await server.tenant(role: .developer)
            try await server.store.quotas.setQuota(tenantID: tenantID, limits: QuotaLimits(dailyTokenLimit: 5))
            #expect(try await server.request(.POST, "/v1/chat/completions", key: key, body: Self.hello).status == 200)
            let over = try await server.request(.POST, "/v1/chat/completions", key: key, body: Self.hello)
            #expect(over.status == 429)
            #expect(over.errorType == "quota_exceeded")
            #expect(over.json?["error"]?["message"]?.stringValue?.contains("daily token limit") == true)
            #expect(over.header("retry-after") != nil)
        }
    }

    @Test("auth errors in OpenAI's error shape: missing, foreign and bad keys are 401; a viewer is 403", arguments: TestDatabase.available)
    func authErrors(database: TestDatabase) async throws {
        try await withTestServer(database) { server in
            let missing = try await server.request(.POST, "/v1/chat/completions", body: Self.hello)
            #expect(missing.status == 401)
            let error = try #require(missing.json?["error"])
            #expect(error["type"]?.stringValue == "authentication_error")
            #expect(error["code"]?.stringValue == "authentication_error")
            #expect(error["message"]?.stringValue?.isEmpty == false)
            #expect(error["param"] != nil)

            let foreign = try await server.request(.POST, "/v1/chat/completions", key: "sk-proj-someone-elses-openai-key", body: Self.hello)
            #expect(foreign.status == 401)
            let unknown = try await server.request(.GET, "/v1/models", key: "ks_" + String(repeating: "z", count: 40))
            #expect(unknown.status == 401)
            #expect(unknown.errorType == "authentication_error")

            let (tenantID, _) = try await server.tenant()
            let viewer = try await server.key(in: tenantID, role: .viewer)
            let refused = try await server.request(.POST, "/v1/chat/completions", key: viewer, body: Self.hello)
            #expect(refused.status == 403)
            #expect(refused.errorType == "permission_denied")
            #expect(server.provider.requestCount == 0)
        }
    }

    @Test("a body cannot choose the provider's address or credentials; bad bodies are 400 with `param`")
    func refusedFields() async throws {
        try await withTestServer(.sqlite) { server in
            let (_, key) = try await server.tenant(role: .developer)
            let steer = try await server.request(
                .POST, "/v1/chat/completions", key: key,
                body: #"{"model":"kimi-k2.6","base_url":"http://evil.example","messages":[{"role":"user","content":"hi"}]}"#)
            #expect(steer.status == 400)
            #expect(steer.json?["error"]?["param"]?.stringValue == "base_url")
            let noMessages = try await server.request(.POST, "/v1/chat/completions", key: key, body: #"{"model":"kimi-k2.6"}"#)
            #expect(noMessages.status == 400)
            #expect(noMessages.json?["error"]?["param"]?.stringValue == "messages")
            let ignored = try await server.request(
                .POST, "/v1/chat/completions", key: key,
                body: #"{"model":"kimi-k2.6","logprobs":false,"metadata":{"a":"b"},"store":false,"messages":[{"role":"user","content":"hi"}]}"#)
            #expect(ignored.status == 200)
            #expect(server.provider.requestCount == 1)
        }
    }

    @Test("a client that disconnects mid-stream cancels the upstream call and is billed for what was delivered")
    func disconnect() async throws {
        try await withTestServer(.sqlite) { server in
            let (tenantID, key) = try await server.tenant(role: .developer)
            let words = String(repeating: "word ", count: 400)
            server.provider.setResponder { _ in
                OpenAIWire.stream(model: "kimi-k2.6", content: words, chunkSize: 5, interval: .milliseconds(20))
            }
            var request = HTTPClientRequest(url: server.baseURL + "/v1/chat/completions")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(key)")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: #"{"model":"kimi-k2.6","stream":true,"messages":[{"role":"user","content":"long"}]}"#))
            let (signal, continuation) = AsyncStream.makeStream(of: Void.self)
            let reader = Task {
                let response = try await testHTTPClient.execute(request, timeout: .seconds(30))
                var received = ""
                for try await buffer in response.body {
                    received += String(buffer: buffer)
                    if received.components(separatedBy: "\"content\"").count > 5 { continuation.yield() }
                }
            }
            var iterator = signal.makeAsyncIterator()
            _ = await iterator.next()
            reader.cancel()
            #expect(await server.provider.waitForClientDisconnects(1, timeout: .seconds(10)))
            let rows = try await waitForLedger(server, tenantID: tenantID, count: 1)
            let row = try #require(rows.first)
            #expect(row.usage.completionTokens > 0)
            #expect(row.usage.completionTokens < TokenEstimator.estimate(words) / 2)
        }
    }
}
