import Foundation
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting
import Testing

/// One HTTP error case and what it must become.
struct StatusCase: Sendable, CustomTestStringConvertible {
    let status: Int
    let body: String
    let category: KimiSwarmError.Category
    let retryable: Bool
    var headers: [(String, String)] = []
    var retryAfter: Duration? = nil

    var testDescription: String { "HTTP \(status) → \(category.rawValue)\(retryable ? " (retryable)" : "")" }
}

private func openAIError(_ message: String, type: String, code: String? = nil) -> String {
    let codeText = code.map { "\"\($0)\"" } ?? "null"
    return #"{"error":{"message":"\#(message)","type":"\#(type)","param":null,"code":\#(codeText)}}"#
}

@Suite("Every HTTP status and transport failure maps to KimiSwarmError")
struct ProviderErrorTests {
    static let openAICases: [StatusCase] = [
        StatusCase(status: 400, body: openAIError("Invalid value for 'temperature'", type: "invalid_request_error"), category: .invalidRequest, retryable: false),
        StatusCase(
            status: 400,
            body: openAIError("This model's maximum context length is 8192 tokens.", type: "invalid_request_error", code: "context_length_exceeded"),
            category: .contextTooLong, retryable: false),
        StatusCase(status: 400, body: openAIError("filtered", type: "invalid_request_error", code: "content_filter"), category: .contentFilter, retryable: false),
        StatusCase(status: 401, body: openAIError("Incorrect API key provided: \(testAPIKey)", type: "invalid_request_error", code: "invalid_api_key"), category: .auth, retryable: false),
        StatusCase(status: 403, body: openAIError("Forbidden", type: "permission_error"), category: .auth, retryable: false),
        StatusCase(status: 404, body: openAIError("The model does not exist", type: "invalid_request_error", code: "model_not_found"), category: .invalidRequest, retryable: false),
        StatusCase(status: 408, body: openAIError("Request timeout", type: "timeout"), category: .timeout, retryable: true),
        StatusCase(status: 409, body: openAIError("Conflict", type: "conflict"), category: .provider, retryable: true),
        StatusCase(status: 413, body: "request entity too large", category: .contextTooLong, retryable: false),
        StatusCase(status: 422, body: #"{"detail":"unprocessable"}"#, category: .invalidRequest, retryable: false),
        StatusCase(status: 425, body: "", category: .provider, retryable: true),
        StatusCase(
            status: 429, body: openAIError("Rate limit reached", type: "requests", code: "rate_limit_exceeded"), category: .rateLimit, retryable: true,
            headers: [("Retry-After", "2")], retryAfter: .seconds(2)),
        StatusCase(
            status: 429, body: openAIError("Rate limit reached", type: "requests"), category: .rateLimit, retryable: true,
            headers: [("retry-after-ms", "1500"), ("Retry-After", "2")],
            retryAfter: .milliseconds(1500)),
        StatusCase(
            status: 429, body: openAIError("You exceeded your current quota", type: "insufficient_quota", code: "insufficient_quota"),
            category: .rateLimit, retryable: false),
        StatusCase(status: 500, body: openAIError("Internal error", type: "server_error"), category: .provider, retryable: true),
        StatusCase(status: 502, body: "<html>Bad Gateway</html>", category: .provider, retryable: true),
        StatusCase(status: 503, body: #"{"error":"service unavailable"}"#, category: .provider, retryable: true),
        StatusCase(status: 504, body: "", category: .provider, retryable: true),
        StatusCase(status: 529, body: "", category: .provider, retryable: true),
    ]

    @Test("OpenAI-compatible error statuses", arguments: openAICases)
    func openAIStatus(_ testCase: StatusCase) async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(.json(status: testCase.status, body: testCase.body, headers: FakeHeaders(testCase.headers + [("x-request-id", "req_123")])))
            let error = try await expectKimiError {
                _ = try await server.openAIProvider().chat(ChatRequest(messages: [.user("secret prompt text")]))
            }
            #expect(error.category == testCase.category)
            #expect(error.isRetryable == testCase.retryable)
            #expect(error.httpStatus == testCase.status)
            #expect(error.provider == .moonshot)
            #expect(error.upstreamRequestID == "req_123")
            #expect(error.recoveryHint?.isEmpty == false)
            if let retryAfter = testCase.retryAfter { #expect(error.retryAfter == retryAfter) }
            let rendered = error.description + error.jsonValue.canonicalText
            #expect(!rendered.contains(testAPIKey))
            #expect(!rendered.contains("secret prompt text"))
        }
    }

    static let anthropicCases: [StatusCase] = [
        StatusCase(status: 400, body: #"{"type":"error","error":{"type":"invalid_request_error","message":"messages: field required"}}"#, category: .invalidRequest, retryable: false),
        StatusCase(status: 400, body: #"{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}}"#, category: .contextTooLong, retryable: false),
        StatusCase(status: 401, body: #"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#, category: .auth, retryable: false),
        StatusCase(status: 403, body: #"{"type":"error","error":{"type":"permission_error","message":"no access"}}"#, category: .auth, retryable: false),
        StatusCase(status: 404, body: #"{"type":"error","error":{"type":"not_found_error","message":"model: claude-x"}}"#, category: .invalidRequest, retryable: false),
        StatusCase(status: 413, body: #"{"type":"error","error":{"type":"request_too_large","message":"Request exceeds the maximum size"}}"#, category: .contextTooLong, retryable: false),
        StatusCase(
            status: 429, body: #"{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}"#,
            category: .rateLimit, retryable: true, headers: [("retry-after", "30")], retryAfter: .seconds(30)),
        StatusCase(status: 500, body: #"{"type":"error","error":{"type":"api_error","message":"Internal server error"}}"#, category: .provider, retryable: true),
        StatusCase(status: 529, body: #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#, category: .provider, retryable: true),
    ]

    @Test("Anthropic error statuses", arguments: anthropicCases)
    func anthropicStatus(_ testCase: StatusCase) async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(.json(status: testCase.status, body: testCase.body, headers: FakeHeaders(testCase.headers + [("request-id", "req_abc")])))
            let error = try await expectKimiError {
                _ = try await server.anthropicProvider().chat(ChatRequest(messages: [.user("hello")]))
            }
            #expect(error.category == testCase.category)
            #expect(error.isRetryable == testCase.retryable)
            #expect(error.httpStatus == testCase.status)
            #expect(error.provider == .anthropic)
            #expect(error.upstreamRequestID == "req_abc")
            if let retryAfter = testCase.retryAfter { #expect(error.retryAfter == retryAfter) }
        }
    }

    @Test("Retry-After as an HTTP date is parsed relative to now")
    func retryAfterDate() throws {
        let now = Date(timeIntervalSince1970: 1_763_900_000)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let header = formatter.string(from: now.addingTimeInterval(45))
        #expect(RetryAfter.parse(header, now: now) == .seconds(45))
        #expect(RetryAfter.parse(formatter.string(from: now.addingTimeInterval(-10)), now: now) == .zero)
        #expect(RetryAfter.parse("1.5", now: now) == .milliseconds(1500))
        #expect(RetryAfter.parse("soon", now: now) == nil)
        #expect(RetryAfter.parse("-3", now: now) == nil)
        #expect(RetryAfter.parse("99999999", now: now) == .seconds(86_400))
    }

    @Test("a connection reset is a retryable network error")
    func connectionReset() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(.reset)
            let error = try await expectKimiError {
                _ = try await server.openAIProvider().chat(ChatRequest(messages: [.user("x")]))
            }
            #expect(error.category == .network)
            #expect(error.isRetryable)
        }
    }

    @Test("a malformed 200 body is a retryable provider error")
    func malformedJSON() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(.json(body: #"{"choices": [ {"message": "#))
            let error = try await expectKimiError {
                _ = try await server.openAIProvider().chat(ChatRequest(messages: [.user("x")]))
            }
            #expect(error.category == .provider)
            #expect(error.isRetryable)
            #expect(error.message.contains("malformed"))
        }
    }

    @Test("a slow first byte past the request timeout is a timeout")
    func slowFirstByte() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(.delayed(.seconds(10), .json(body: OpenAIProviderChatTests.completionBody)))
            let provider = server.openAIProvider(requestTimeout: .milliseconds(400))
            let started = ContinuousClock.now
            let error = try await expectKimiError { _ = try await provider.chat(ChatRequest(messages: [.user("x")])) }
            #expect(error.category == .timeout)
            #expect(error.isRetryable)
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test("a refused connection is a network error that says so")
    func connectionRefused() async throws {
        // Port 1 on loopback: nothing listens there, and no parallel test can take it.
        let port = 1
        let configuration = ProviderConfiguration(
            id: .ollama, kind: .openAICompatible, baseURL: "http://127.0.0.1:\(port)/v1", requiresAPIKey: false, defaultModel: "llama3.2",
            connectTimeout: .seconds(1))
        let provider = OpenAICompatibleProvider(
            configuration: configuration, registry: .empty, httpClient: SharedHTTPClient.client(connectTimeout: .seconds(1)),
            logger: testLogger)
        let error = try await expectKimiError { _ = try await provider.chat(ChatRequest(messages: [.user("x")])) }
        #expect(error.category == .network)
        #expect(error.isRetryable)
        #expect(error.provider == .ollama)
    }

    @Test("a base URL that is not http(s) is a configuration error")
    func badBaseURL() async throws {
        let configuration = ProviderConfiguration(
            id: .vllm, kind: .openAICompatible, baseURL: "ftp://example.com/v1", requiresAPIKey: false, defaultModel: "m")
        let provider = OpenAICompatibleProvider(
            configuration: configuration, registry: .empty, httpClient: SharedHTTPClient.client(), logger: testLogger)
        let error = try await expectKimiError { _ = try await provider.chat(ChatRequest(messages: [.user("x")])) }
        #expect(error.category == .configuration)
    }

    @Test("the provider's own message is kept apart from the description")
    func upstreamMessageKeptApart() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(.json(status: 400, body: openAIError("messages[0].content echoes: my private text", type: "invalid_request_error")))
            let error = try await expectKimiError {
                _ = try await server.openAIProvider().chat(ChatRequest(messages: [.user("my private text")]))
            }
            #expect(error.upstreamMessage?.contains("my private text") == true)
            #expect(!error.description.contains("my private text"))
            #expect(!error.jsonValue.canonicalText.contains("my private text"))
        }
    }
}
