import Foundation
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting
import Testing

@Suite("OpenAI-compatible provider: streaming")
struct OpenAIProviderStreamTests {
    static func chunk(_ delta: String, finish: String? = nil) -> String {
        let reason = finish.map { "\"\($0)\"" } ?? "null"
        return #"data: {"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"kimi-k2.6","choices":[{"index":0,"delta":"#
            + delta + #","finish_reason":"# + reason + "}]}"
    }

    static let toolCallStream: [String] = [
        chunk(#"{"role":"assistant","content":""}"#),
        chunk(#"{"reasoning_content":"Two cities, "}"#),
        chunk(#"{"reasoning_content":"two calls."}"#),
        chunk(#"{"content":"Checking "}"#),
        chunk(#"{"content":"both."}"#),
        chunk(#"{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]}"#),
        chunk(#"{"tool_calls":[{"index":0,"function":{"arguments":"{\"ci"}}]}"#),
        chunk(#"{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"get_weather","arguments":"{\"city\":"}}]}"#),
        chunk(#"{"tool_calls":[{"index":0,"function":{"arguments":"ty\":\"Paris\"}"}}]}"#),
        chunk(#"{"tool_calls":[{"index":1,"function":{"arguments":"\"Oslo\"}"}}]}"#),
        chunk("{}", finish: "tool_calls"),
        #"data: {"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"kimi-k2.6","choices":[],"usage":{"prompt_tokens":40,"completion_tokens":25,"total_tokens":65,"prompt_tokens_details":{"cached_tokens":32},"completion_tokens_details":{"reasoning_tokens":7}}}"#,
        "data: [DONE]",
    ]

    @Test("tool-call fragments are joined by index and usage comes from the final chunk", arguments: [false, true])
    func toolCallFragments(splitEvents: Bool) async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(.sse(events: Self.toolCallStream, splitEvents: splitEvents))
            let events = try await collectEvents(server.openAIProvider().chatStream(ChatRequest(messages: [.user("weather?")])))
            let text = events.compactMap { if case .contentDelta(let text) = $0 { text } else { nil } }.joined()
            let reasoning = events.compactMap { if case .reasoningDelta(let text) = $0 { text } else { nil } }.joined()
            #expect(text == "Checking both.")
            #expect(reasoning == "Two cities, two calls.")
            let usage = Usage(promptTokens: 40, cachedPromptTokens: 32, completionTokens: 25, reasoningTokens: 7)
            #expect(events.contains(.usage(usage)))
            guard case .finished(let response) = try #require(events.last) else {
                Issue.record("the last event is not .finished")
                return
            }
            #expect(response.toolCalls == [
                ToolCall(id: "call_a", name: "get_weather", arguments: #"{"city":"Paris"}"#),
                ToolCall(id: "call_b", name: "get_weather", arguments: #"{"city":"Oslo"}"#),
            ])
            #expect(response.text == "Checking both.")
            #expect(response.message.reasoningContent == "Two cities, two calls.")
            #expect(response.finishReason == .toolCalls)
            #expect(response.usage == usage)
            #expect(response.id == "chatcmpl-s")

            let body = try server.requestBody()
            #expect(body["stream"] == true)
            #expect(body["stream_options"] == ["include_usage": true])
            #expect(server.recordedRequests().first?.header("accept") == "text/event-stream")
        }
    }

    @Test("Moonshot's usage inside choices[0] is read")
    func usageInsideChoice() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(
                .sse(events: [
                    Self.chunk(#"{"role":"assistant","content":"Hi"}"#),
                    #"data: {"id":"x","model":"kimi-k2.6","choices":[{"index":0,"delta":{},"finish_reason":"stop","usage":{"prompt_tokens":8,"completion_tokens":2,"total_tokens":10,"cached_tokens":4}}]}"#,
                    "data: [DONE]",
                ]))
            let response = try await server.openAIProvider().chatStream(ChatRequest(messages: [.user("hi")])).collect()
            #expect(response.text == "Hi")
            #expect(response.usage == Usage(promptTokens: 8, cachedPromptTokens: 4, completionTokens: 2))
        }
    }

    @Test("special tokens split across chunks are stripped from streamed text")
    func splitSpecialTokens() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(
                .sse(events: [
                    Self.chunk(#"{"content":"Done <|im_"}"#),
                    Self.chunk(#"{"content":"end|> really <"}"#),
                    Self.chunk(#"{"content":"3"}"#, finish: "stop"),
                    "data: [DONE]",
                ]))
            let events = try await collectEvents(server.openAIProvider().chatStream(ChatRequest(messages: [.user("hi")])))
            let text = events.compactMap { if case .contentDelta(let text) = $0 { text } else { nil } }.joined()
            #expect(text == "Done  really <3")
            guard case .finished(let response) = events.last else { throw TestFailure("no finished event") }
            #expect(response.text == "Done  really <3")
        }
    }

    @Test("a stream cut mid-way is a retryable network error, not a partial answer")
    func streamCut() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(.sse(events: Self.toolCallStream, cutAfter: 4))
            let error = try await expectKimiError {
                _ = try await collectEvents(server.openAIProvider().chatStream(ChatRequest(messages: [.user("x")])))
            }
            #expect(error.category == .network)
            #expect(error.isRetryable)
        }
    }

    @Test("an error event inside the stream is mapped")
    func inStreamError() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(
                .sse(events: [
                    Self.chunk(#"{"content":"Hel"}"#),
                    #"data: {"error":{"message":"The server is overloaded","type":"server_error","code":null}}"#,
                ]))
            let error = try await expectKimiError {
                _ = try await collectEvents(server.openAIProvider().chatStream(ChatRequest(messages: [.user("x")])))
            }
            #expect(error.category == .provider)
            #expect(error.isRetryable)
            #expect(error.upstreamCode == "server_error")
        }
    }

    @Test("an error status on a stream request is mapped before any event")
    func streamErrorStatus() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(
                .json(status: 429, body: #"{"error":{"message":"Rate limit reached","type":"rate_limit_error","code":"rate_limit_exceeded"}}"#,
                      headers: [("Retry-After", "7")]))
            let error = try await expectKimiError {
                _ = try await collectEvents(server.openAIProvider().chatStream(ChatRequest(messages: [.user("x")])))
            }
            #expect(error.category == .rateLimit)
            #expect(error.retryAfter == .seconds(7))
        }
    }

    @Test("leaving a stream early closes the upstream connection")
    func breakingOutClosesConnection() async throws {
        try await LoopbackProviderServer.withServer { server in
            // 60 s of events: on a loaded machine the stream must still be under way when the
            // consumer leaves (a finished response would go back to the pool, not be closed).
            let many = (0..<600).map { Self.chunk(#"{"content":"token\#($0) "}"#) }
            server.enqueue(.sse(events: many, interval: .milliseconds(100)))
            var received = 0
            for try await event in server.openAIProvider().chatStream(ChatRequest(messages: [.user("long")])) {
                if case .contentDelta = event { received += 1 }
                if received == 3 { break }
            }
            #expect(received == 3)
            #expect(await server.waitForClientDisconnects(1, timeout: .seconds(30)))
        }
    }

    @Test("cancelling the consuming task closes the upstream connection and throws CancellationError")
    func cancellationClosesConnection() async throws {
        try await LoopbackProviderServer.withServer { server in
            let many = (0..<500).map { Self.chunk(#"{"content":"t\#($0) "}"#) }
            server.enqueue(.sse(events: many, interval: .milliseconds(20)))
            let provider = server.openAIProvider()
            let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
            let outcome = await withTaskGroup(of: String.self) { group in
                group.addTask {
                    do {
                        for try await event in provider.chatStream(ChatRequest(messages: [.user("long")])) {
                            if case .contentDelta = event { startedContinuation.yield() }
                        }
                        return "finished"
                    } catch is CancellationError {
                        return "cancelled"
                    } catch {
                        return "other error: \(error)"
                    }
                }
                // Cancel once the stream is flowing, so the server is mid-response.
                for await _ in started { break }
                group.cancelAll()
                return await group.next() ?? "none"
            }
            #expect(outcome == "cancelled")
            #expect(await server.waitForClientDisconnects(1, timeout: .seconds(30)))
        }
    }

    @Test("a stream that goes silent past the idle timeout fails with a timeout")
    func idleTimeout() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(.sse(events: [Self.chunk(#"{"content":"a"}"#), Self.chunk(#"{"content":"b"}"#)], interval: .seconds(3)))
            let provider = server.openAIProvider(streamIdleTimeout: .milliseconds(500))
            let error = try await expectKimiError {
                _ = try await collectEvents(provider.chatStream(ChatRequest(messages: [.user("x")])))
            }
            #expect(error.category == .timeout)
            #expect(error.isRetryable)
        }
    }

    @Test("a stream whose first chunk comes too late fails with a first-byte timeout")
    func firstByteTimeout() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(.delayed(.seconds(3), .sse(events: [Self.chunk(#"{"content":"late"}"#, finish: "stop"), "data: [DONE]"])))
            let provider = server.openAIProvider(firstByteTimeout: .milliseconds(300))
            let error = try await expectKimiError {
                _ = try await collectEvents(provider.chatStream(ChatRequest(messages: [.user("x")])))
            }
            #expect(error.category == .timeout)
            #expect(error.isRetryable)
        }
    }

    @Test("a stream that keeps talking past the total request timeout is cut off")
    func totalTimeout() async throws {
        try await LoopbackProviderServer.withServer { server in
            let many = (0..<100).map { Self.chunk(#"{"content":"t\#($0) "}"#) }
            server.enqueue(.sse(events: many, interval: .milliseconds(50)))
            let provider = server.openAIProvider(requestTimeout: .milliseconds(600), streamIdleTimeout: .seconds(5))
            let error = try await expectKimiError {
                _ = try await collectEvents(provider.chatStream(ChatRequest(messages: [.user("x")])))
            }
            #expect(error.category == .timeout)
            #expect(error.message.contains("request timeout"))
        }
    }

    @Test("a stream replays as the same events when iterated again")
    func reiteration() async throws {
        try await LoopbackProviderServer.withServer { server in
            let events = [Self.chunk(#"{"content":"once"}"#, finish: "stop"), "data: [DONE]"]
            server.enqueue(.sse(events: events), .sse(events: events))
            let stream = server.openAIProvider().chatStream(ChatRequest(messages: [.user("x")]))
            let first = try await stream.collect()
            let second = try await stream.collect()
            #expect(first.text == "once")
            #expect(second.text == "once")
            #expect(server.requestCount == 2)
        }
    }
}
