import Foundation
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting
import Testing

@Suite("Anthropic Messages provider over the real wire format")
struct AnthropicProviderTests {
    static let messageBody = """
        {"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5",
         "content":[{"type":"thinking","thinking":"Let me check the weather.","signature":"sig-abc"},
                    {"type":"text","text":"I'll look it up."},
                    {"type":"tool_use","id":"toolu_01","name":"get_weather","input":{"city":"Paris"}}],
         "stop_reason":"tool_use","stop_sequence":null,
         "usage":{"input_tokens":100,"output_tokens":50,"cache_creation_input_tokens":20,"cache_read_input_tokens":300}}
        """

    @Test("a message decodes text, thinking with signature, tool_use and usage with cache tokens")
    func decodesMessage() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(.json(body: Self.messageBody))
            let response = try await server.anthropicProvider().chat(ChatRequest(messages: [.user("Weather in Paris?")]))
            #expect(response.id == "msg_01")
            #expect(response.text == "I'll look it up.")
            #expect(response.message.reasoningContent == "Let me check the weather.")
            #expect(response.message.reasoningSignature == "sig-abc")
            #expect(response.toolCalls == [ToolCall(id: "toolu_01", name: "get_weather", arguments: #"{"city":"Paris"}"#)])
            #expect(response.finishReason == .toolCalls)
            #expect(response.usage == Usage(promptTokens: 420, cachedPromptTokens: 300, cacheWriteTokens: 20, completionTokens: 50))

            let request = try #require(server.recordedRequests().first)
            #expect(request.path == "/v1/messages")
            #expect(request.header("x-api-key") == testAPIKey)
            #expect(request.header("anthropic-version") == "2023-06-01")
            #expect(request.header("authorization") == nil)
        }
    }

    @Test("requests map system, images, tool calls, tool results and thinking to Anthropic's shapes")
    func encodesRequest() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(.json(body: Self.messageBody))
            let request = ChatRequest(
                model: "claude-sonnet-4-5",
                messages: [
                    .system("You are terse."),
                    .system("Answer in English."),
                    .user(parts: [.text("What is this?"), .image(.base64("iVBORw0KGgo=", mediaType: "image/png")), .image(ImageReference(url: "https://example.com/b.jpg"))]),
                    .assistant(
                        "Checking.", toolCalls: [
                            ToolCall(id: "toolu_1", name: "get_weather", arguments: #"{"city":"Paris"}"#),
                            ToolCall(id: "toolu_2", name: "get_weather", arguments: #"{"city":"Oslo"}"#),
                        ], reasoning: "Two lookups.", reasoningSignature: "sig-1"),
                    .tool(callID: "toolu_1", content: "18°C"),
                    .tool(callID: "toolu_2", content: "3°C"),
                    .user("And tomorrow?"),
                ],
                temperature: 0.5, topP: 0.9, maxTokens: 900, stop: ["STOP"],
                tools: [ToolDefinition(name: "get_weather", description: "Weather", parameters: ["type": "object", "properties": ["city": ["type": "string"]]])],
                toolChoice: .required, parallelToolCalls: false, user: "u-1")
            _ = try await server.anthropicProvider().chat(request)
            let body = try server.requestBody()
            #expect(body["system"] == "You are terse.\n\nAnswer in English.")
            #expect(body["model"] == "claude-sonnet-4-5")
            #expect(body["max_tokens"] == 900)
            #expect(body["temperature"] == 0.5)
            #expect(body["top_p"] == 0.9)
            #expect(body["stop_sequences"] == ["STOP"])
            #expect(body["tools"] == [["name": "get_weather", "description": "Weather", "input_schema": ["type": "object", "properties": ["city": ["type": "string"]]]]])
            #expect(body["tool_choice"] == ["type": "any", "disable_parallel_tool_use": true])
            #expect(body["metadata"] == ["user_id": "u-1"])
            let expected: JSONValue = [
                [
                    "role": "user",
                    "content": [
                        ["type": "text", "text": "What is this?"],
                        ["type": "image", "source": ["type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="]],
                        ["type": "image", "source": ["type": "url", "url": "https://example.com/b.jpg"]],
                    ],
                ],
                [
                    "role": "assistant",
                    "content": [
                        ["type": "thinking", "thinking": "Two lookups.", "signature": "sig-1"],
                        ["type": "text", "text": "Checking."],
                        ["type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": ["city": "Paris"]],
                        ["type": "tool_use", "id": "toolu_2", "name": "get_weather", "input": ["city": "Oslo"]],
                    ],
                ],
                [
                    "role": "user",
                    "content": [
                        ["type": "tool_result", "tool_use_id": "toolu_1", "content": "18°C"],
                        ["type": "tool_result", "tool_use_id": "toolu_2", "content": "3°C"],
                        ["type": "text", "text": "And tomorrow?"],
                    ],
                ],
            ]
            #expect(body["messages"] == expected)
        }
    }

    @Test("thinking on sends a budget and raises max_tokens above it; a budget under 1024 is refused")
    func thinkingBudget() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(.json(body: Self.messageBody))
            let provider = server.anthropicProvider()
            _ = try await provider.chat(ChatRequest(messages: [.user("think")], thinking: .enabled(budgetTokens: 2000)))
            let body = try server.requestBody()
            #expect(body["thinking"] == ["type": "enabled", "budget_tokens": 2000])
            #expect((body["max_tokens"]?.intValue ?? 0) > 2000)

            let small = try await expectKimiError {
                _ = try await provider.chat(ChatRequest(messages: [.user("think")], thinking: .enabled(budgetTokens: 100)))
            }
            #expect(small.category == .invalidRequest)
            let tight = try await expectKimiError {
                _ = try await provider.chat(ChatRequest(messages: [.user("think")], maxTokens: 1500, thinking: .enabled(budgetTokens: 2000)))
            }
            #expect(tight.category == .invalidRequest)
            #expect(server.requestCount == 1)
        }
    }

    @Test("a tool call with arguments that are not JSON is refused before sending")
    func invalidToolArguments() async throws {
        try await LoopbackProviderServer.withServer { server in
            let error = try await expectKimiError {
                _ = try await server.anthropicProvider().chat(
                    ChatRequest(messages: [.user("a"), .assistant(nil, toolCalls: [ToolCall(id: "t", name: "f", arguments: "{not json")]), .tool(callID: "t", content: "r")]))
            }
            #expect(error.category == .invalidRequest)
            #expect(server.requestCount == 0)
        }
    }

    static func event(_ name: String, _ data: String) -> String { "event: \(name)\ndata: \(data)" }

    static let streamEvents: [String] = [
        event("message_start", #"{"type":"message_start","message":{"id":"msg_s","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":10,"output_tokens":1}}}"#),
        event("ping", #"{"type":"ping"}"#),
        event("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}"#),
        event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Weather "}}"#),
        event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"lookup."}}"#),
        event("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"sig-xyz"}}"#),
        event("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
        event("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"#),
        event("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Let me "}}"#),
        event("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"check."}}"#),
        event("content_block_stop", #"{"type":"content_block_stop","index":1}"#),
        event("content_block_start", #"{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_s","name":"get_weather","input":{}}}"#),
        event("content_block_delta", #"{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":""}}"#),
        event("content_block_delta", #"{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"city\": "}}"#),
        event("content_block_delta", #"{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"\"Paris\"}"}}"#),
        event("content_block_stop", #"{"type":"content_block_stop","index":2}"#),
        event("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":42}}"#),
        event("message_stop", #"{"type":"message_stop"}"#),
    ]

    @Test("the SSE event stream assembles thinking, text, tool input fragments and usage", arguments: [false, true])
    func streams(splitEvents: Bool) async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(.sse(events: Self.streamEvents, splitEvents: splitEvents))
            let events = try await collectEvents(server.anthropicProvider().chatStream(ChatRequest(messages: [.user("weather?")])))
            let text = events.compactMap { if case .contentDelta(let text) = $0 { text } else { nil } }.joined()
            #expect(text == "Let me check.")
            let usage = Usage(promptTokens: 35, cachedPromptTokens: 10, completionTokens: 42)
            #expect(events.contains(.usage(usage)))
            guard case .finished(let response) = try #require(events.last) else { throw TestFailure("no finished event") }
            #expect(response.id == "msg_s")
            #expect(response.text == "Let me check.")
            #expect(response.message.reasoningContent == "Weather lookup.")
            #expect(response.message.reasoningSignature == "sig-xyz")
            #expect(response.toolCalls == [ToolCall(id: "toolu_s", name: "get_weather", arguments: #"{"city": "Paris"}"#)])
            #expect(response.finishReason == .toolCalls)
            #expect(response.usage == usage)
            #expect(try server.requestBody()["stream"] == true)
        }
    }

    @Test("an error event mid-stream is mapped to a retryable provider error")
    func streamErrorEvent() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(
                .sse(events: Array(Self.streamEvents.prefix(4)) + [
                    Self.event("error", #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)
                ]))
            let error = try await expectKimiError {
                _ = try await collectEvents(server.anthropicProvider().chatStream(ChatRequest(messages: [.user("x")])))
            }
            #expect(error.category == .provider)
            #expect(error.isRetryable)
            #expect(error.upstreamCode == "overloaded_error")
        }
    }

    @Test("a stream cut before message_stop is a network error")
    func streamCut() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(.sse(events: Self.streamEvents, cutAfter: 9))
            let error = try await expectKimiError {
                _ = try await collectEvents(server.anthropicProvider().chatStream(ChatRequest(messages: [.user("x")])))
            }
            #expect(error.category == .network)
        }
    }

    @Test("models are listed from GET /v1/models; embeddings are refused clearly")
    func modelsAndEmbeddings() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(
                .json(body: """
                    {"data":[{"type":"model","id":"claude-sonnet-4-5","display_name":"Claude Sonnet 4.5","created_at":"2025-09-29T00:00:00Z"}],
                     "has_more":false,"first_id":"claude-sonnet-4-5","last_id":"claude-sonnet-4-5"}
                    """))
            let provider = server.anthropicProvider()
            let models = try await provider.listModels()
            #expect(models.map(\.id) == ["claude-sonnet-4-5"])
            #expect(models.first?.displayName == "Claude Sonnet 4.5")
            #expect(server.recordedRequests().first?.path == "/v1/models")
            let error = try await expectKimiError { _ = try await provider.embed(EmbeddingRequest(inputs: ["x"])) }
            #expect(error.category == .invalidRequest)
        }
    }
}
