import Foundation
import KimiSwarmCore
import Testing

@Suite("Core value types")
struct CoreTypesTests {
    @Test("messages and requests round-trip through Codable")
    func codableRoundTrip() throws {
        let request = ChatRequest(
            model: "kimi-k2.6",
            messages: [
                .system("s"),
                .user(parts: [.text("look"), .image(.base64("AAAA", mediaType: "image/png"))]),
                .assistant("a", toolCalls: [ToolCall(id: "1", name: "f", arguments: "{}")], reasoning: "r", reasoningSignature: "sig"),
                .tool(callID: "1", content: "result"),
            ],
            temperature: 0.7, maxTokens: 10, stop: ["x"],
            tools: [ToolDefinition(name: "f", description: "d", parameters: ["type": "object", "properties": ["n": ["type": "integer", "maximum": 3]]])],
            toolChoice: .tool("f"), responseFormat: .jsonSchema(name: "n", schema: ["type": "object"], strict: true),
            thinking: .enabled(budgetTokens: 2048), streamOptions: StreamOptions(includeUsage: false), extraBody: ["k": [1, 2.5, "s", nil]])
        let data = try JSONEncoder().encode(request)
        let decoded = try JSONDecoder().decode(ChatRequest.self, from: data)
        #expect(decoded == request)
        for choice in [ToolChoice.auto, .none, .required, .tool("x")] {
            #expect(try JSONDecoder().decode(ToolChoice.self, from: JSONEncoder().encode(choice)) == choice)
        }
        for format in [ResponseFormat.text, .jsonObject] {
            #expect(try JSONDecoder().decode(ResponseFormat.self, from: JSONEncoder().encode(format)) == format)
        }
        #expect(try JSONDecoder().decode(ThinkingMode.self, from: JSONEncoder().encode(ThinkingMode.disabled)) == .disabled)
    }

    @Test("an unknown content part type is a decoding error that names it")
    func unknownPart() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ContentPart.self, from: Data(#"{"type":"audio"}"#.utf8))
        }
    }

    @Test("data URLs expose their media type and payload")
    func inlineImages() {
        #expect(ImageReference.base64("QUJD", mediaType: "image/jpeg").inlineData?.mediaType == "image/jpeg")
        #expect(ImageReference.base64("QUJD", mediaType: "image/jpeg").inlineData?.base64 == "QUJD")
        #expect(ImageReference(url: "https://x/y.png").inlineData == nil)
    }

    @Test("tool arguments parse as JSON; empty means an empty object")
    func toolArguments() throws {
        #expect(try ToolCall(id: "1", name: "f", arguments: " ").parsedArguments() == .object([:]))
        #expect(try ToolCall(id: "1", name: "f", arguments: #"{"a":[1,true]}"#).parsedArguments() == ["a": [1, true]])
        #expect(throws: (any Error).self) { try ToolCall(id: "1", name: "f", arguments: "{").parsedArguments() }
    }

    @Test("usage adds up and separates cached and written input")
    func usage() {
        let a = Usage(promptTokens: 100, cachedPromptTokens: 60, cacheWriteTokens: 10, completionTokens: 20, reasoningTokens: 5)
        let b = Usage(promptTokens: 1, completionTokens: 2)
        #expect((a + b).totalTokens == 123)
        #expect(a.uncachedPromptTokens == 30)
    }

    @Test("cost is exact decimal arithmetic over every kind of token")
    func exactCost() {
        let pricing = ModelPricing(
            inputPerMillion: Decimal(string: "0.60")!, cachedInputPerMillion: Decimal(string: "0.10")!,
            cacheWritePerMillion: Decimal(string: "0.75")!, outputPerMillion: Decimal(string: "2.50")!)
        let usage = Usage(promptTokens: 1_234_567, cachedPromptTokens: 1_000_000, cacheWriteTokens: 34_567, completionTokens: 7_654_321)
        // (200000 × 0.60 + 1000000 × 0.10 + 34567 × 0.75 + 7654321 × 2.50) / 1e6 = 19381727.75 / 1e6
        let expected = Decimal(string: "19.38172775")!
        #expect(pricing.cost(of: usage) == expected)
        #expect(ModelPricing(inputPerMillion: 3, outputPerMillion: 15).cost(of: Usage(promptTokens: 1, completionTokens: 1)) == Decimal(string: "0.000018")!)
    }

    @Test("the registry finds models by id and alias, case-insensitively, and later entries win")
    func registryLookup() {
        var registry = ModelRegistry(entries: [
            ModelEntry(id: "kimi-k2.6", provider: .moonshot, contextWindow: 262_144, aliases: ["kimi-latest"]),
            ModelEntry(id: "gpt-5", provider: .openai, contextWindow: 400_000),
        ])
        #expect(registry.entry(provider: .moonshot, model: "KIMI-LATEST")?.id == "kimi-k2.6")
        #expect(registry.entry(provider: .openai, model: "kimi-k2.6") == nil)
        registry.upsert(ModelEntry(id: "gpt-5", provider: .openai, contextWindow: 1))
        #expect(registry.entry(provider: .openai, model: "gpt-5")?.contextWindow == 1)
        #expect(registry.entries.count == 2)
        #expect(registry.cost(provider: .openai, model: "gpt-5", usage: .zero) == nil)
    }

    @Test("the stream accumulator joins fragments by index, in index order")
    func accumulator() {
        var accumulator = ChatStreamAccumulator()
        accumulator.apply(.toolCallDelta(ToolCallDelta(index: 1, id: "b", name: "g", argumentsFragment: "{\"y\"")))
        accumulator.apply(.toolCallDelta(ToolCallDelta(index: 0, id: "a", name: "f", argumentsFragment: "{")))
        accumulator.apply(.toolCallDelta(ToolCallDelta(index: 0, argumentsFragment: "}")))
        accumulator.apply(.toolCallDelta(ToolCallDelta(index: 1, argumentsFragment: ":1}")))
        accumulator.apply(.contentDelta(""))
        let response = accumulator.response(provider: .openai, fallbackModel: "m")
        #expect(response.toolCalls == [ToolCall(id: "a", name: "f", arguments: "{}"), ToolCall(id: "b", name: "g", arguments: "{\"y\":1}")])
        #expect(response.finishReason == .toolCalls)
        #expect(response.model == "m")
    }

    @Test("replayed streams yield their events in order and collect() returns the final response")
    func replay() async throws {
        let final = ChatResponse(id: "r", model: "m", provider: .openai, message: .assistant("hi"), finishReason: .stop, usage: .zero)
        let stream = ChatStream.replaying([.contentDelta("hi"), .finished(final)])
        var seen: [ChatStreamEvent] = []
        for try await event in stream { seen.append(event) }
        #expect(seen == [.contentDelta("hi"), .finished(final)])
        #expect(try await stream.collect() == final)
        await #expect(throws: KimiSwarmError.self) { try await ChatStream.replaying([.contentDelta("x")]).collect() }
    }
}

@Suite("Errors and secrets never leak")
struct ErrorAndSecretTests {
    @Test("a secret prints, dumps and encodes as ***")
    func secretHides() throws {
        let secret = Secret("sk-live-abcdef")
        #expect("\(secret)" == "***")
        #expect(String(reflecting: secret) == "Secret(***)")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("abcdef"))
        #expect(String(decoding: try JSONEncoder().encode(["key": secret]), as: UTF8.self) == #"{"key":"***"}"#)
        #expect(secret.reveal() == "sk-live-abcdef")
        let configuration = ProviderConfiguration(id: .openai, kind: .openAICompatible, baseURL: "https://x", apiKey: secret)
        #expect(!String(describing: configuration).contains("abcdef"))
        #expect(!String(reflecting: configuration).contains("abcdef"))
        let withHeaders = ProviderConfiguration(
            id: "custom", kind: .openAICompatible, baseURL: "https://user:pw-9876@proxy.example.com/v1?key=q-5555",
            headers: ["X-Proxy-Authorization": "Bearer hdr-1234"])
        var everything = String(describing: withHeaders) + String(reflecting: withHeaders)
        dump(withHeaders, to: &everything)
        for leaked in ["hdr-1234", "pw-9876", "q-5555"] { #expect(!everything.contains(leaked)) }
        #expect(everything.contains("X-Proxy-Authorization"))
        #expect(everything.contains("proxy.example.com"))
    }

    @Test("categories decide retryability and severity by default")
    func defaults() {
        for category in KimiSwarmError.Category.allCases {
            let error = KimiSwarmError(category: category, message: "m")
            #expect(error.isRetryable == [.rateLimit, .timeout, .network, .provider].contains(category))
        }
        #expect(KimiSwarmError(category: .auth, message: "m").severity == .critical)
        #expect(KimiSwarmError.Severity.low < .critical)
    }

    @Test("the description and JSON form carry what was wrong, never the upstream message")
    func descriptionAndJSON() {
        let error = KimiSwarmError(
            category: .rateLimit, message: "the provider is rate limiting requests", recoveryHint: "Slow down.",
            provider: .moonshot, httpStatus: 429, retryAfter: .milliseconds(1500), upstreamCode: "rate_limit_exceeded",
            upstreamRequestID: "req-1", upstreamMessage: "user said: my secret plan")
        #expect(error.description == "[moonshot] rate_limit (HTTP 429): the provider is rate limiting requests [rate_limit_exceeded] (retry after 1.5 s). Hint: Slow down.")
        let json = error.jsonValue
        #expect(json["category"] == "rate_limit")
        #expect(json["retryable"] == true)
        #expect(json["http_status"] == 429)
        #expect(json["retry_after_seconds"] == 1.5)
        #expect(json["upstream_request_id"] == "req-1")
        #expect(!json.canonicalText.contains("secret plan"))
        #expect(!error.description.contains("secret plan"))
    }
}
