import Foundation
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting
import Testing

@Suite("Router: fallback chains over the loopback provider server")
struct RouterFallbackTests {
    /// Three providers on one fake server: `primary` (8K window), `small` (4K), `large` (200K).
    static let registry = ModelRegistry(entries: [
        testEntry("primary", "model-a", window: 8_000, pricing: ModelPricing(inputPerMillion: 1, outputPerMillion: 2)),
        testEntry("small", "model-s", window: 4_000),
        testEntry("large", "model-l", window: 200_000),
    ])

    static func router(_ server: LoopbackProviderServer, chain: [String] = ["small/model-s", "large/model-l"], ledger: CostLedger? = nil) -> ModelRouter {
        let providers: [any LLMProvider] = ["primary", "small", "large"].map { server.openAIProvider(id: ProviderID($0), dialect: .standard, defaultModel: nil) }
        let settings = RouterSettings(defaultDestination: .target(target("primary/model-a")), fallbacks: ["primary": chain.map(target)])
        return ModelRouter(settings: settings, registry: registry, logger: testLogger, ledger: ledger, provider: lookup(providers))
    }

    static let request = ChatRequest(messages: [.user("Hello")])

    static func model(_ server: LoopbackProviderServer, _ index: Int) throws -> String? {
        if case .string(let model)? = try server.requestBody(index)["model"] { return model }
        return nil
    }

    @Test("a 503 from the primary falls back to the next target")
    func serviceUnavailable() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(
                OpenAIWire.error(status: 503, message: "overloaded", type: "server_error"),
                OpenAIWire.chatCompletion(model: "model-s", content: "from small"))
            let ledger = CostLedger(calculator: CostCalculator(registry: Self.registry))
            let response = try await Self.router(server, ledger: ledger).chat(Self.request)
            #expect(response.text == "from small")
            #expect(response.provider == "small")
            #expect(server.requestCount == 2)
            #expect(try Self.model(server, 0) == "model-a")
            #expect(try Self.model(server, 1) == "model-s")
            #expect(ledger.snapshot().total.calls == 1)
            #expect(ledger.snapshot().byModel[target("small/model-s")]?.calls == 1)
        }
    }

    @Test("a 400 invalid request does not fall back")
    func badRequest() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(
                OpenAIWire.error(status: 400, message: "bad temperature"),
                OpenAIWire.chatCompletion(content: "never"))
            let error = try await expectKimiError { _ = try await Self.router(server).chat(Self.request) }
            #expect(error.category == .invalidRequest)
            #expect(error.reason == nil)
            #expect(server.requestCount == 1)
        }
    }

    @Test("context overflow falls back only to a larger window")
    func contextOverflow() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(
                OpenAIWire.error(status: 400, message: "maximum context length is 8000 tokens", code: "context_length_exceeded"),
                OpenAIWire.chatCompletion(model: "model-l", content: "from large"))
            let response = try await Self.router(server).chat(Self.request)
            #expect(response.text == "from large")
            #expect(server.requestCount == 2)
            #expect(try Self.model(server, 1) == "model-l")
        }
    }

    @Test("when every target fails, the last error carries fallbacks_exhausted and the targets tried")
    func exhausted() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(
                OpenAIWire.error(status: 503, message: "down", type: "server_error"),
                OpenAIWire.error(status: 502, message: "down", type: "server_error"),
                OpenAIWire.error(status: 500, message: "down", type: "server_error"))
            let error = try await expectKimiError { _ = try await Self.router(server).chat(Self.request) }
            #expect(error.reason == .fallbacksExhausted)
            #expect(error.httpStatus == 500)
            #expect(error.provider == "large")
            #expect(error.message.contains("tried primary/model-a, small/model-s, large/model-l"))
        }
    }

    @Test("a stream falls back before its first event")
    func streamBeforeFirstEvent() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(
                OpenAIWire.error(status: 503, message: "overloaded", type: "server_error"),
                OpenAIWire.stream(model: "model-s", content: "streamed from small"))
            let response = try await Self.router(server).chatStream(Self.request).collect()
            #expect(response.text == "streamed from small")
            #expect(server.requestCount == 2)
        }
    }

    @Test("a stream does not fall back after an event reached the caller")
    func streamAfterFirstEvent() async throws {
        // A stub stream that delivers one event, then fails with a retryable error: over the
        // network the timing of a cut is not deterministic on a loaded machine.
        let cut = KimiSwarmError(category: .network, message: "the stream was cut before it finished")
        let primary = PartialStreamProvider(id: "primary", error: cut)
        let small = StubProvider.answering("small", "never")
        let settings = RouterSettings(defaultDestination: .target(target("primary/model-a")), fallbacks: ["primary": [target("small/model-s")]])
        let router = ModelRouter(settings: settings, registry: Self.registry, logger: testLogger, provider: lookup([primary, small]))
        var received: [ChatStreamEvent] = []
        let error = try await expectKimiError {
            for try await event in router.chatStream(Self.request) { received.append(event) }
        }
        #expect(received == [.contentDelta("partial")])
        #expect(error.category == .network)
        #expect(error.reason != .fallbacksExhausted)
        #expect(small.requests.isEmpty)
    }

    @Test("an open circuit falls back; cancellation and auth errors do not")
    func circuitCancellationAuth() async throws {
        let open = KimiSwarmError(category: .provider, message: "circuit open", isRetryable: false, reason: .circuitOpen)
        let auth = KimiSwarmError(category: .auth, message: "bad key")
        let cases: [(any Error & Sendable, Bool)] = [(open, true), (CancellationError(), false), (auth, false)]
        for (error, fallsBack) in cases {
            let primary = StubProvider.failing("primary", error)
            let small = StubProvider.answering("small", "ok")
            let settings = RouterSettings(defaultDestination: .target(target("primary/model-a")), fallbacks: ["primary": [target("small/model-s")]])
            let router = ModelRouter(settings: settings, registry: Self.registry, logger: testLogger, provider: lookup([primary, small]))
            do {
                let response = try await router.chat(Self.request)
                #expect(fallsBack && response.text == "ok")
            } catch let caught as KimiSwarmError {
                #expect(!fallsBack)
                #expect(caught.category == .auth && caught.reason == nil)
            } catch {
                #expect(!fallsBack)
                #expect(error is CancellationError)
            }
            #expect(small.requests.count == (fallsBack ? 1 : 0))
        }
    }

    @Test("a 429 falls back in streams too, through a second server")
    func secondServer() async throws {
        try await LoopbackProviderServer.withServer { first in
            try await LoopbackProviderServer.withServer { second in
                first.enqueue(OpenAIWire.error(status: 429, message: "slow down", type: "requests", code: "rate_limit_exceeded"))
                second.enqueue(OpenAIWire.stream(model: "model-l", content: "second server"))
                let providers: [any LLMProvider] = [
                    first.openAIProvider(id: "primary", dialect: .standard, defaultModel: nil),
                    second.openAIProvider(id: "large", dialect: .standard, defaultModel: nil),
                ]
                let settings = RouterSettings(defaultDestination: .target(target("primary/model-a")), fallbacks: ["primary/model-a": [target("large/model-l")]])
                let router = ModelRouter(settings: settings, registry: Self.registry, logger: testLogger, provider: lookup(providers))
                let response = try await router.chatStream(Self.request).collect()
                #expect(response.text == "second server")
                #expect(first.requestCount == 1 && second.requestCount == 1)
            }
        }
    }
}

@Suite("Router: built from an LLMClient")
struct RouterClientTests {
    @Test("makeRouter routes through the client's providers")
    func makeRouter() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(OpenAIWire.chatCompletion(model: "kimi-k2.6", content: "hello"))
            var configuration = KimiSwarmConfiguration()
            configuration.router = RouterSettings(defaultDestination: .target(target("moonshot/kimi-k2.6")))
            let client = LLMClient(
                configuration: configuration, registry: DefaultModelRegistry.load(), providers: [server.openAIProvider()], logger: testLogger)
            let ledger = CostLedger(calculator: CostCalculator(registry: client.registry))
            let router = client.makeRouter(logger: testLogger, ledger: ledger)
            #expect(router.route(ChatRequest(messages: [.user("hi")])).primary == target("moonshot/kimi-k2.6"))
            let response = try await router.chat(ChatRequest(messages: [.user("hi")]))
            #expect(response.text == "hello")
            #expect(ledger.snapshot().total.calls == 1)
            #expect(ledger.snapshot().total.cost == client.cost(of: response))
            #expect(ledger.snapshot().total.cost > 0)
        }
    }
}

@Suite("Router: which errors fall back")
struct RouterFallbackPolicyTests {
    static let cases: [(KimiSwarmError, Bool)] = [
        (KimiSwarmError(category: .provider, message: "503", httpStatus: 503), true),
        (KimiSwarmError(category: .timeout, message: "slow"), true),
        (KimiSwarmError(category: .network, message: "reset"), true),
        (KimiSwarmError(category: .rateLimit, message: "429"), true),
        (KimiSwarmError(category: .rateLimit, message: "quota spent", isRetryable: false), true),
        (KimiSwarmError(category: .provider, message: "open", isRetryable: false, reason: .circuitOpen), true),
        (KimiSwarmError(category: .contextTooLong, message: "too long"), true),
        (KimiSwarmError(category: .provider, message: "not retryable", isRetryable: false), false),
        (KimiSwarmError.invalidRequest("bad"), false),
        (KimiSwarmError(category: .auth, message: "key"), false),
        (KimiSwarmError(category: .contentFilter, message: "filtered"), false),
        (KimiSwarmError.configuration("setting"), false),
    ]

    @Test("fallback policy per category, reason and retryability", arguments: 0..<12)
    func policy(_ index: Int) async throws {
        let (error, fallsBack) = Self.cases[index]
        let primary = StubProvider.failing("a", error)
        let backup = StubProvider.answering("b", "ok")
        let settings = RouterSettings(defaultDestination: .target(target("a/m")), fallbacks: ["a": [target("b/m")]])
        // b/m has the larger window, so a context overflow may fall back to it.
        let registry = ModelRegistry(entries: [testEntry("a", "m", window: 1_000), testEntry("b", "m", window: 100_000)])
        let router = ModelRouter(settings: settings, registry: registry, logger: testLogger, provider: lookup([primary, backup]))
        do {
            let response = try await router.chat(ChatRequest(messages: [.user("hi")]))
            #expect(fallsBack, "\(error.category) fell back")
            #expect(response.text == "ok")
        } catch let caught as KimiSwarmError {
            #expect(!fallsBack, "\(error.category) did not fall back")
            #expect(caught == error)
        }
        #expect(backup.requests.count == (fallsBack ? 1 : 0))
    }
}
