import Foundation
import KimiSwarmClient
import KimiSwarmCore
import Synchronization

/// A provider whose answers a test scripts with a closure; counts its calls.
final class StubProvider: LLMProvider {
    let configuration: ProviderConfiguration
    private let answer: @Sendable (ChatRequest) async throws -> ChatResponse
    private let calls = Mutex<[ChatRequest]>([])

    init(_ id: ProviderID, answer: @escaping @Sendable (ChatRequest) async throws -> ChatResponse) {
        configuration = ProviderConfiguration(id: id, kind: .openAICompatible, baseURL: "http://127.0.0.1:9")
        self.answer = answer
    }

    /// A provider that answers every request with `text`.
    static func answering(_ id: ProviderID, _ text: String) -> StubProvider {
        StubProvider(id) { request in
            ChatResponse(id: "stub", model: request.model ?? "", provider: id, message: .assistant(text), finishReason: .stop, usage: .zero)
        }
    }

    /// A provider that always throws `error`.
    static func failing(_ id: ProviderID, _ error: any Error & Sendable) -> StubProvider {
        StubProvider(id) { _ in throw error }
    }

    var requests: [ChatRequest] { calls.withLock { $0 } }

    func chat(_ request: ChatRequest) async throws -> ChatResponse {
        calls.withLock { $0.append(request) }
        return try await answer(request)
    }

    func chatStream(_ request: ChatRequest) -> ChatStream {
        let call: @Sendable () async throws -> ChatResponse = { try await self.chat(request) }
        return ChatStream { StubStreamProducer(call: call) }
    }

    func embed(_ request: EmbeddingRequest) async throws -> EmbeddingResponse {
        throw KimiSwarmError.invalidRequest("no embeddings")
    }

    func listModels() async throws -> [ProviderModel] { [] }
}

private struct StubStreamProducer: ChatStreamProducer {
    let call: @Sendable () async throws -> ChatResponse
    var done = false

    mutating func next() async throws -> ChatStreamEvent? {
        guard !done else { return nil }
        done = true
        return .finished(try await call())
    }
}

/// A provider whose stream yields one content delta, then fails with `error`.
final class PartialStreamProvider: LLMProvider {
    let configuration: ProviderConfiguration
    let error: KimiSwarmError

    init(id: ProviderID, error: KimiSwarmError) {
        configuration = ProviderConfiguration(id: id, kind: .openAICompatible, baseURL: "http://127.0.0.1:9")
        self.error = error
    }

    func chat(_ request: ChatRequest) async throws -> ChatResponse { throw error }

    func chatStream(_ request: ChatRequest) -> ChatStream {
        let error = self.error
        return ChatStream { PartialProducer(error: error) }
    }

    func embed(_ request: EmbeddingRequest) async throws -> EmbeddingResponse { throw error }

    func listModels() async throws -> [ProviderModel] { [] }
}

private struct PartialProducer: ChatStreamProducer {
    let error: KimiSwarmError
    var step = 0

    mutating func next() async throws -> ChatStreamEvent? {
        step += 1
        if step == 1 { return .contentDelta("partial") }
        throw error
    }
}

/// A provider lookup over fixed providers.
func lookup(_ providers: [any LLMProvider]) -> @Sendable (ProviderID) throws -> any LLMProvider {
    let table = Dictionary(providers.map { ($0.configuration.id, $0) }, uniquingKeysWith: { first, _ in first })
    return { id in
        guard let provider = table[id] else { throw KimiSwarmError.configuration("unknown provider '\(id)'") }
        return provider
    }
}

/// A registry entry for tests.
func testEntry(_ provider: ProviderID, _ model: String, window: Int, pricing: ModelPricing? = nil) -> ModelEntry {
    ModelEntry(id: model, provider: provider, contextWindow: window, pricing: pricing)
}

/// `provider/model`.
func target(_ text: String) -> RouteTarget {
    RouteTarget(parsing: text)!
}
