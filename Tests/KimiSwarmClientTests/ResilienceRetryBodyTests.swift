import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting
import Testing

@Suite("Resilience: every attempt of a call sends the same bytes")
struct ResilienceRetryBodyTests {
    /// A request with many top-level keys and nested objects, whose order a dictionary would
    /// shuffle.
    static func request(_ index: Int) -> ChatRequest {
        ChatRequest(
            messages: [.system("Be brief."), .user("question \(index)")], temperature: 0.3, topP: 0.9, maxTokens: 200,
            stop: ["END"],
            tools: [
                ToolDefinition(
                    name: "lookup", description: "Looks a word up",
                    parameters: ["type": "object", "properties": ["word": ["type": "string"], "lang": ["type": "string"]], "required": ["word"]])
            ],
            seed: 7, presencePenalty: 0.1, frequencyPenalty: 0.2, user: "user-\(index)")
    }

    @Test("a call retried after two 5xx sends byte-identical bodies (chat and stream)", arguments: [false, true])
    func retriesAreByteIdentical(stream: Bool) async throws {
        try await LoopbackProviderServer.withServer { server in
            let calls = 8
            let clock = ManualClock()
            let layer = RetryLayer(
                server.openAIProvider(), policy: RetryPolicy(maxAttempts: 3, initialBackoff: .zero, maxBackoff: .zero),
                budget: RetryBudget(ratio: 1, window: .seconds(10), minRetriesPerWindow: 100, clock: clock), clock: clock,
                random: ResilienceFixtures.fixedRandom(0), logger: testLogger)
            for index in 0..<calls {
                server.enqueue(ResilienceFixtures.serverError, ResilienceFixtures.serverError)
                if stream {
                    _ = try await layer.chatStream(Self.request(index)).collect()
                } else {
                    _ = try await layer.chat(Self.request(index))
                }
            }
            let bodies = server.recordedRequests().map(\.body)
            #expect(bodies.count == calls * 3)
            for index in 0..<calls {
                let attempts = bodies[(index * 3)..<(index * 3 + 3)]
                #expect(Set(attempts).count == 1, "call \(index) sent \(Set(attempts).count) different bodies")
            }
            #expect(Set(bodies).count == calls)
        }
    }
}
