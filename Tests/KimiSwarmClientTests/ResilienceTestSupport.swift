import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting

/// Scripted answers and helpers shared by the resilience tests.
enum ResilienceFixtures {
    static let ok: FakeResponse = OpenAIWire.chatCompletion(model: "kimi-k2.6", content: "ok")
    static let serverError: FakeResponse = OpenAIWire.error(status: 500, message: "Internal error", type: "server_error")
    static let badRequest: FakeResponse = OpenAIWire.error(status: 400, message: "Invalid value", type: "invalid_request_error")

    static func tooManyRequests(retryAfter seconds: Int) -> FakeResponse {
        OpenAIWire.error(status: 429, message: "Rate limit reached", type: "requests", headers: [("Retry-After", "\(seconds)")])
    }

    static func chunk(_ delta: String) -> String {
        #"data: {"id":"chatcmpl-s","object":"chat.completion.chunk","created":1,"model":"kimi-k2.6","choices":[{"index":0,"delta":"#
            + delta + #","finish_reason":null}]}"#
    }

    /// A stream whose first chunk arrives, then an in-stream (retryable) server error.
    static let streamFailingAfterFirstEvent: FakeResponse = .sse(events: [
        chunk(#"{"content":"Hel"}"#),
        #"data: {"error":{"message":"The server is overloaded","type":"server_error","code":null}}"#,
    ])

    static let request = ChatRequest(messages: [.user("hello")])

    static func request(_ text: String) -> ChatRequest { ChatRequest(messages: [.user(text)]) }

    /// A random source that always returns `value`.
    static func fixedRandom(_ value: Double) -> @Sendable () -> Double { { value } }
}

extension LoopbackProviderServer {
    /// The user messages of the requests received, in order.
    func userMessages() throws -> [String] {
        try (0..<requestCount).map { index in
            guard case .object(let body) = try requestBody(index), case .array(let messages)? = body["messages"],
                case .object(let message)? = messages.last, case .string(let text)? = message["content"]
            else { throw TestFailure("request #\(index) has no user message") }
            return text
        }
    }
}

/// Waits (real time, polling) until `condition` holds; returns `false` after `timeout`.
func eventually(timeout: Duration = .seconds(30), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(1))
    }
    return condition()
}
