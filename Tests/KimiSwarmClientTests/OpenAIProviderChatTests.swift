import Foundation
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting
import Testing

@Suite("OpenAI-compatible provider: chat over the real wire format")
struct OpenAIProviderChatTests {
    static let completionBody = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1763900000,"model":"kimi-k2.6",
         "choices":[{"index":0,"message":{"role":"assistant","content":"Paris.","reasoning_content":"The user asks for the capital."},
         "finish_reason":"stop"}],
         "usage":{"prompt_tokens":120,"completion_tokens":30,"total_tokens":150,
         "prompt_tokens_details":{"cached_tokens":100},"completion_tokens_details":{"reasoning_tokens":20}}}
        """

    @Test("a plain completion decodes text, reasoning, finish reason and usage")
    func plainCompletion() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(.json(body: Self.completionBody))
            let response = try await server.openAIProvider().chat(ChatRequest(messages: [.user("Capital of France?")]))
            #expect(response.id == "chatcmpl-1")
            #expect(response.model == "kimi-k2.6")
            #expect(response.provider == .moonshot)
            #expect(response.text == "Paris.")
            #expect(response.message.reasoningContent == "The user asks for the capital.")
            #expect(response.finishReason == .stop)
            #expect(response.usage == Usage(promptTokens: 120, cachedPromptTokens: 100, completionTokens: 30, reasoningTokens: 20))
            #expect(response.created == Date(timeIntervalSince1970: 1_763_900_000))

            let request = try #require(server.recordedRequests().first)
            #expect(request.method == "POST")
            #expect(request.path == "/v1/chat/completions")
            #expect(request.header("authorization") == "Bearer \(testAPIKey)")
            #expect(request.header("content-type") == "application/json")
        }
    }

    @Test("Moonshot's top-level cached_tokens is read")
    func moonshotCachedTokens() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(
                .json(body: """
                    {"id":"c","model":"kimi-k2.6","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
                     "usage":{"prompt_tokens":50,"completion_tokens":5,"total_tokens":55,"cached_tokens":40}}
                    """))
            let response = try await server.openAIProvider().chat(ChatRequest(messages: [.user("hi")]))
            #expect(response.usage.cachedPromptTokens == 40)
        }
    }

    @Test("every message shape is encoded as the OpenAI wire format expects")
    func messageShapesEncode() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(.json(body: Self.completionBody))
            let weather = ToolDefinition(
                name: "get_weather", description: "Weather for a city",
                parameters: ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]], strict: true)
            let request = ChatRequest(
                model: "kimi-k2.6",
                messages: [
                    .system("Be brief."),
                    .user(parts: [.text("What is in this picture?"), .image(ImageReference(url: "https://example.com/a.png", detail: .low))]),
                    .assistant(
                        nil, toolCalls: [ToolCall(id: "call_1", name: "get_weather", arguments: #"{"city":"Paris"}"#)],
                        reasoning: "I need the weather."),
                    .tool(callID: "call_1", content: "18°C, sunny", name: "get_weather"),
                    .user("Thanks"),
                ],
                temperature: 0.3, topP: 0.9, maxTokens: 256, stop: ["END"], tools: [weather], toolChoice: .tool("get_weather"),
                parallelToolCalls: false, responseFormat: .jsonSchema(name: "answer", schema: ["type": "object"], strict: true),
                seed: 7, presencePenalty: 0.1, frequencyPenalty: 0.2, user: "user-42", extraBody: ["custom_flag": true])
            _ = try await server.openAIProvider().chat(request)
            let body = try server.requestBody()
            let expectedMessages: JSONValue = [
                ["role": "system", "content": "Be brief."],
                [
                    "role": "user",
                    "content": [
                        ["type": "text", "text": "What is in this picture?"],
                        ["type": "image_url", "image_url": ["url": "https://example.com/a.png", "detail": "low"]],
                    ],
                ],
                [
                    "role": "assistant", "content": nil, "reasoning_content": "I need the weather.",
                    "tool_calls": [
                        ["id": "call_1", "type": "function", "function": ["name": "get_weather", "arguments": #"{"city":"Paris"}"#]]
                    ],
                ],
                ["role": "tool", "tool_call_id": "call_1", "content": "18°C, sunny", "name": "get_weather"],
                ["role": "user", "content": "Thanks"],
            ]
            #expect(body["messages"] == expectedMessages)
            #expect(body["model"] == "kimi-k2.6")
            #expect(body["temperature"] == 0.3)
            #expect(body["top_p"] == 0.9)
            #expect(body["max_tokens"] == 256)
            #expect(body["stop"] == ["END"])
            #expect(
                body["tools"] == [
                    [
                        "type": "function",
                        "function": [
                            "name": "get_weather", "description": "Weather for a city", "strict": true,
                            "parameters": ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]],
                        ],
                    ]
                ])
            #expect(body["tool_choice"] == ["type": "function", "function": ["name": "get_weather"]])
            #expect(body["parallel_tool_calls"] == false)
            #expect(body["response_format"] == ["type": "json_schema", "json_schema": ["name": "answer", "schema": ["type": "object"], "strict": true]])
            #expect(body["seed"] == 7)
            #expect(body["presence_penalty"] == 0.1)
            #expect(body["frequency_penalty"] == 0.2)
            #expect(body["user"] == "user-42")
            #expect(body["custom_flag"] == true)
            #expect(body["stream"] == nil)
        }
    }

    @Test("reasoning_content round trip: kept from a tool-calling answer and sent back on the next turn")
    func reasoningContentRoundTrip() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(
                .json(body: """
                    {"id":"c1","model":"kimi-k2.6","choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant",
                     "content":"","reasoning_content":"Need to look up the time.",
                     "tool_calls":[{"id":"call_9","type":"function","function":{"name":"current_time","arguments":"{}"}}]}}],
                     "usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}
                    """),
                .json(body: Self.completionBody))
            let provider = server.openAIProvider()
            var messages: [ChatMessage] = [.user("What time is it?")]
            let first = try await provider.chat(ChatRequest(messages: messages))
            #expect(first.finishReason == .toolCalls)
            #expect(first.toolCalls == [ToolCall(id: "call_9", name: "current_time", arguments: "{}")])
            #expect(first.message.reasoningContent == "Need to look up the time.")
            messages.append(first.message)
            messages.append(.tool(callID: "call_9", content: "12:00"))
            _ = try await provider.chat(ChatRequest(messages: messages))
            let assistant = try #require(try server.requestBody(1)["messages"]?.arrayValue?[1])
            #expect(assistant["role"] == "assistant")
            #expect(assistant["reasoning_content"] == "Need to look up the time.")
            #expect(assistant["tool_calls"]?.arrayValue?.first?["id"] == "call_9")
        }
    }

    @Test("OpenAI itself never receives reasoning_content or thinking, and gets max_completion_tokens")
    func openAIDialectOmitsKimiFields() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(.json(body: Self.completionBody))
            let provider = server.openAIProvider(id: .openai, dialect: .openai, defaultModel: "gpt-5-mini")
            _ = try await provider.chat(
                ChatRequest(
                    messages: [.user("a"), .assistant("b", reasoning: "hidden"), .user("c")], maxTokens: 100, thinking: .disabled))
            let body = try server.requestBody()
            #expect(body["messages"]?.arrayValue?[1]["reasoning_content"] == nil)
            #expect(body["thinking"] == nil)
            #expect(body["max_completion_tokens"] == 100)
            #expect(body["max_tokens"] == nil)
            #expect(body["temperature"] == nil)
            #expect(body["model"] == "gpt-5-mini")
        }
    }

    @Test("thinking switches: Moonshot's thinking field, vLLM's chat_template_kwargs, and Kimi's sampling defaults")
    func thinkingSwitches() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(.json(body: Self.completionBody), .json(body: Self.completionBody), .json(body: Self.completionBody))
            _ = try await server.openAIProvider().chat(ChatRequest(messages: [.user("x")], thinking: .disabled))
            var body = try server.requestBody(0)
            #expect(body["thinking"] == ["type": "disabled"])
            #expect(body["temperature"] == 0.6)
            #expect(body["top_p"] == 0.95)

            _ = try await server.openAIProvider().chat(ChatRequest(messages: [.user("x")]))
            body = try server.requestBody(1)
            #expect(body["thinking"] == nil)
            #expect(body["temperature"]?.doubleValue == 1.0)

            _ = try await server.openAIProvider(id: .vllm, dialect: .vllm, defaultModel: "moonshotai/Kimi-K2.6")
                .chat(ChatRequest(messages: [.user("x")], temperature: 0.2, thinking: .disabled))
            body = try server.requestBody(2)
            #expect(body["chat_template_kwargs"] == ["thinking": false])
            #expect(body["thinking"] == nil)
            #expect(body["temperature"] == 0.2)
        }
    }

    @Test("special tokens that leak into Kimi's content are stripped")
    func specialTokensStripped() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(
                .json(body: """
                    {"id":"c","model":"kimi-k2.6","choices":[{"index":0,"finish_reason":"stop",
                     "message":{"role":"assistant","content":"Hello<|im_end|> world<|im_middle|>"}}]}
                    """))
            let response = try await server.openAIProvider().chat(ChatRequest(messages: [.user("hi")]))
            #expect(response.text == "Hello world")
            #expect(response.usage == .zero)
        }
    }

    @Test("a request without a key is refused before anything is sent, naming the variable")
    func missingKey() async throws {
        try await LoopbackProviderServer.withServer { server in
            let error = try await expectKimiError {
                _ = try await server.openAIProvider(apiKey: nil).chat(ChatRequest(messages: [.user("hi")]))
            }
            #expect(error.category == .configuration)
            #expect(error.description.contains("MOONSHOT_API_KEY"))
            #expect(server.requestCount == 0)
        }
    }

    @Test("a request with no model and no default is a configuration error")
    func missingModel() async throws {
        try await LoopbackProviderServer.withServer { server in
            let error = try await expectKimiError {
                _ = try await server.openAIProvider(defaultModel: nil).chat(ChatRequest(messages: [.user("hi")]))
            }
            #expect(error.category == .configuration)
            #expect(error.recoveryHint?.contains("--model") == true)
        }
    }

    @Test("embeddings come back in input order, whatever order the provider lists them")
    func embeddingsInOrder() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(
                .json(body: """
                    {"object":"list","model":"echo-embed","data":[
                     {"object":"embedding","index":1,"embedding":[0.5,0.25]},
                     {"object":"embedding","index":0,"embedding":[1,-1]}],
                     "usage":{"prompt_tokens":6,"total_tokens":6}}
                    """))
            let response = try await server.openAIProvider().embed(EmbeddingRequest(inputs: ["first", "second"], dimensions: 2))
            #expect(response.embeddings == [[1, -1], [0.5, 0.25]])
            #expect(response.usage.promptTokens == 6)
            let body = try server.requestBody()
            #expect(body["input"] == ["first", "second"])
            #expect(body["model"] == "echo-embed")
            #expect(body["dimensions"] == 2)
            #expect(server.recordedRequests().first?.path == "/v1/embeddings")
        }
    }

    @Test("the model list is read from GET /models")
    func modelList() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(
                .json(body: """
                    {"object":"list","data":[{"id":"kimi-k2.6","object":"model","created":1763900000,"owned_by":"moonshot"},
                     {"id":"kimi-k3","object":"model","created":1763900001,"owned_by":"moonshot"}]}
                    """))
            let models = try await server.openAIProvider().listModels()
            #expect(models.map(\.id) == ["kimi-k2.6", "kimi-k3"])
            #expect(models.first?.ownedBy == "moonshot")
            #expect(server.recordedRequests().first?.method == "GET")
            #expect(server.recordedRequests().first?.path == "/v1/models")
        }
    }

    @Test("Azure OpenAI: deployment URL, api-version query and api-key header")
    func azureRequests() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(.json(body: Self.completionBody))
            let configuration = ProviderConfiguration(
                id: .azure, kind: .azureOpenAI, baseURL: server.baseURL + "/", apiKey: Secret(testAPIKey),
                apiKeyVariable: "AZURE_OPENAI_API_KEY", defaultModel: "gpt-4o", azureAPIVersion: "2024-10-21",
                azureDeployments: ["gpt-4o": "prod gpt4o"], dialect: .openai)
            let provider = OpenAICompatibleProvider(
                configuration: configuration, registry: .empty, httpClient: SharedHTTPClient.client(), logger: testLogger)
            _ = try await provider.chat(ChatRequest(messages: [.user("hi")]))
            let request = try #require(server.recordedRequests().first)
            #expect(request.path == "/openai/deployments/prod%20gpt4o/chat/completions")
            #expect(request.uri.hasSuffix("?api-version=2024-10-21"))
            #expect(request.header("api-key") == testAPIKey)
            #expect(request.header("authorization") == nil)
        }
    }

    @Test("a missing Azure endpoint names AZURE_OPENAI_ENDPOINT")
    func azureWithoutEndpoint() async throws {
        let configuration = ProviderConfiguration(
            id: .azure, kind: .azureOpenAI, baseURL: "", apiKey: Secret(testAPIKey), defaultModel: "gpt-4o", dialect: .openai)
        let provider = OpenAICompatibleProvider(
            configuration: configuration, registry: .empty, httpClient: SharedHTTPClient.client(), logger: testLogger)
        let error = try await expectKimiError { _ = try await provider.chat(ChatRequest(messages: [.user("hi")])) }
        #expect(error.category == .configuration)
        #expect(error.description.contains("AZURE_OPENAI_ENDPOINT"))
    }
}
