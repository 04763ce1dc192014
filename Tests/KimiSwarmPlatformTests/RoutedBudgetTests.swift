import Foundation
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmEngine
@testable import KimiSwarmPlatform
import Logging
import Synchronization
import Testing

/// A provider that answers every request with a fixed text and fixed usage, as the model the
/// request names, and counts the calls per model.
final class FixedUsageProvider: LLMProvider {
    let configuration: ProviderConfiguration
    let usage: Usage
    private let models = Mutex<[String: Int]>([:])

    init(_ id: ProviderID, defaultModel: String, usage: Usage) {
        var configuration = ProviderConfiguration(id: id, kind: .openAICompatible, baseURL: "http://127.0.0.1:9")
        configuration.defaultModel = defaultModel
        self.configuration = configuration
        self.usage = usage
    }

    var calls: [String: Int] { models.withLock { $0 } }

    func chat(_ request: ChatRequest) async throws -> ChatResponse {
        let model = request.model ?? configuration.defaultModel ?? ""
        models.withLock { $0[model, default: 0] += 1 }
        return ChatResponse(
            id: "fixed", model: model, provider: configuration.id, message: .assistant("Findings: nothing to add."), finishReason: .stop,
            usage: usage)
    }

    func chatStream(_ request: ChatRequest) -> ChatStream {
        let call: @Sendable () async throws -> ChatResponse = { try await self.chat(request) }
        return ChatStream { OneShotProducer(call: call) }
    }

    func embed(_ request: EmbeddingRequest) async throws -> EmbeddingResponse { throw KimiSwarmError.invalidRequest("no embeddings") }

    func listModels() async throws -> [ProviderModel] { [] }
}

struct OneShotProducer: ChatStreamProducer {
    let call: @Sendable () async throws -> ChatResponse
    var done = false

    mutating func next() async throws -> ChatStreamEvent? {
        guard !done else { return nil }
        done = true
        return .finished(try await call())
    }
}

@Suite("Router-aware budgets")
struct RoutedBudgetTests {
    /// `cheap` is the default model; `dear` costs 20 times as much and is where the router sends calls.
    static let cheap = ModelPricing(inputPerMillion: 1, outputPerMillion: 1)
    static let dear = ModelPricing(inputPerMillion: 20, outputPerMillion: 20)
    static let usage = Usage(promptTokens: 3_000, completionTokens: 1_000)

    static func client(router: Bool, ceiling: Decimal? = nil, dearPriced: Bool = true, fallback: Bool = false) -> (LLMClient, FixedUsageProvider) {
        var configuration = KimiSwarmConfiguration(defaultProvider: .moonshot, providers: [:])
        configuration.cache.enabled = false
        configuration.pricing.unpricedCeilingPerMillion = ceiling
        let provider = FixedUsageProvider(.moonshot, defaultModel: "cheap-1", usage: usage)
        configuration.providers[.moonshot] = provider.configuration
        if router {
            let dear = RouteTarget(provider: .moonshot, model: "dear-20")
            configuration.router = RouterSettings(
                rules: [RouteRule(conditions: [.complexityAbove(0)], destination: .target(dear))], defaultDestination: .target(dear),
                fallbacks: fallback ? [dear.description: [RouteTarget(provider: .moonshot, model: "dearest-40")]] : [:])
        }
        let registry = ModelRegistry(entries: [
            ModelEntry(id: "cheap-1", provider: .moonshot, contextWindow: 200_000, pricing: cheap),
            ModelEntry(id: "dear-20", provider: .moonshot, contextWindow: 200_000, pricing: dearPriced ? dear : nil),
            ModelEntry(id: "dearest-40", provider: .moonshot, contextWindow: 200_000, pricing: ModelPricing(inputPerMillion: 40, outputPerMillion: 40)),
        ])
        let client = LLMClient(configuration: configuration, registry: registry, providers: [provider], logger: serverTestLogger)
        return (client, provider)
    }

    static func graph(_ count: Int) -> TaskGraph {
        TaskGraph(tasks: (1...count).map { SubTask(id: "t\($0)", template: "cloud-architect", instructions: "Review part \($0).") })
    }

    @Test("router rules send calls to a model 20x the default's price: a run with a budget of five such calls stops within budget + one call")
    func budgetHoldsWithRouting() async throws {
        let (client, provider) = Self.client(router: true)
        let oneCall = Self.dear.cost(of: Self.usage)
        let budget = oneCall * 5
        let factory = RunEngineFactory(client: client, library: try TemplateLibrary.builtIn(), tools: [], logger: serverTestLogger)
        var limits = RunLimits()
        limits.maxCostUSD = budget
        limits.concurrency = 12
        limits.maxOutputTokensPerCall = 1_000
        let engine = factory.engine(journal: InMemoryJournal())
        let run = engine.makeRun(RunSpec(task: "Review the system", source: .graph(Self.graph(12)), limits: limits))
        async let drained: Void = { for await _ in run.events {} }()
        let result = await run.run()
        await drained
        #expect(provider.calls["cheap-1"] == nil, "every call went where the router sent it: \(provider.calls)")
        #expect(result.costUSD > 0)
        #expect(result.costUSD <= budget + oneCall, "spent \(result.costUSD) of a budget of \(budget) (one call costs \(oneCall))")
        #expect(result.status == .partial, "the budget stopped the run")
    }

    @Test("a reservation is priced at the model the router picks and at its dearest fallback; unpriced models at the configured ceiling")
    func reservationPrices() throws {
        let request = ChatRequest(model: "cheap-1", messages: [.user("hello")])
        let (plain, _) = Self.client(router: false)
        let (routed, _) = Self.client(router: true)
        let usage = Usage(promptTokens: 1_000, completionTokens: 500)
        #expect(RoutedCallPricing(client: plain).maximumCost(of: request, promptTokens: 1_000, maxOutputTokens: 500) == Self.cheap.cost(of: usage))
        #expect(RoutedCallPricing(client: routed).maximumCost(of: request, promptTokens: 1_000, maxOutputTokens: 500) == Self.dear.cost(of: usage))
        // Pinned to a provider, the router is not asked.
        #expect(
            RoutedCallPricing(client: routed).maximumCost(of: request, provider: .moonshot, promptTokens: 1_000, maxOutputTokens: 500)
                == Self.cheap.cost(of: usage))
        // A call that may fall back is reserved at the dearest model it may reach.
        let (fallingBack, _) = Self.client(router: true, fallback: true)
        #expect(
            RoutedCallPricing(client: fallingBack).maximumCost(of: request, promptTokens: 1_000, maxOutputTokens: 500)
                == ModelPricing(inputPerMillion: 40, outputPerMillion: 40).cost(of: usage))
        let (unpriced, _) = Self.client(router: true, dearPriced: false)
        #expect(RoutedCallPricing(client: unpriced).maximumCost(of: request, promptTokens: 1_000, maxOutputTokens: 500) == 0)
        let (ceiling, _) = Self.client(router: true, ceiling: 50, dearPriced: false)
        #expect(
            RoutedCallPricing(client: ceiling).maximumCost(of: request, promptTokens: 1_000, maxOutputTokens: 500)
                == ModelPricing(inputPerMillion: 50, outputPerMillion: 50).cost(of: usage))
    }
}
