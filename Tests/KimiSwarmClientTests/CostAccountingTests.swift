import Foundation
import KimiSwarmClient
import KimiSwarmCore
import Testing

@Suite("Cost accounting: exact decimals from the registry")
struct CostAccountingTests {
    static let registry = ModelRegistry(entries: [
        // Anthropic-style: cached reads and cache writes priced apart.
        testEntry(
            "anthropic", "claude-x", window: 200_000,
            pricing: ModelPricing(
                inputPerMillion: Decimal(string: "3")!, cachedInputPerMillion: Decimal(string: "0.30")!,
                cacheWritePerMillion: Decimal(string: "3.75")!, outputPerMillion: Decimal(string: "15")!)),
        // Kimi-style: cached input cheaper, reasoning billed as output.
        testEntry(
            "moonshot", "kimi-x", window: 262_144,
            pricing: ModelPricing(
                inputPerMillion: Decimal(string: "0.60")!, cachedInputPerMillion: Decimal(string: "0.15")!,
                outputPerMillion: Decimal(string: "2.50")!)),
        testEntry("openai", "gpt-x", window: 128_000, pricing: ModelPricing(inputPerMillion: Decimal(string: "2.50")!, outputPerMillion: Decimal(string: "10")!)),
        testEntry("openai", "gpt-x-mini", window: 128_000, pricing: ModelPricing(inputPerMillion: Decimal(string: "0.15")!, outputPerMillion: Decimal(string: "0.60")!)),
        testEntry("ollama", "free", window: 8_000),
    ])

    static func decimal(_ text: String) -> Decimal { Decimal(string: text)! }

    @Test("one call with cached input, cache writes and reasoning tokens, to the last digit")
    func singleCall() {
        let calculator = CostCalculator(registry: Self.registry)
        // 10,000 prompt = 6,000 uncached + 3,000 cached + 1,000 written; 2,000 output incl. 1,500 reasoning.
        let usage = Usage(promptTokens: 10_000, cachedPromptTokens: 3_000, cacheWriteTokens: 1_000, completionTokens: 2_000, reasoningTokens: 1_500)
        // 6000×3 + 3000×0.30 + 1000×3.75 + 2000×15 = 18000 + 900 + 3750 + 30000 = 52650 → /1e6
        #expect(calculator.cost(provider: "anthropic", model: "claude-x", usage: usage) == Self.decimal("0.05265"))
        #expect(calculator.cost(provider: "ollama", model: "free", usage: usage) == nil)
        #expect(calculator.cost(provider: "openai", model: "unknown", usage: usage) == nil)
    }

    @Test("dated snapshot ids are priced as the longest registered prefix")
    func snapshots() {
        let calculator = CostCalculator(registry: Self.registry)
        let usage = Usage(promptTokens: 1_000_000, completionTokens: 1_000_000)
        #expect(calculator.cost(provider: "openai", model: "gpt-x-mini-2025-01-01", usage: usage) == Self.decimal("0.75"))
        #expect(calculator.cost(provider: "openai", model: "gpt-x-2024-08-06", usage: usage) == Self.decimal("12.5"))
        #expect(calculator.cost(provider: "openai", model: "gpt-xl", usage: usage) == nil)
        let client = LLMClient(configuration: KimiSwarmConfiguration(), registry: Self.registry, providers: [], logger: testLogger)
        #expect(client.cost(provider: "openai", model: "gpt-x-2024-08-06", usage: usage) == Self.decimal("12.5"))
    }

    @Test("the ledger's totals over a mix of calls equal hand-computed decimals")
    func ledgerTotals() async {
        let ledger = CostLedger(calculator: CostCalculator(registry: Self.registry))
        let calls: [(ProviderID, String, Usage)] = [
            // 1234×3 + 100×0.30 + 50×3.75 + 321×15 = 3702 + 30 + 187.5 + 4815 = 8734.5
            ("anthropic", "claude-x", Usage(promptTokens: 1_384, cachedPromptTokens: 100, cacheWriteTokens: 50, completionTokens: 321, reasoningTokens: 0)),
            // 777×0.60 + 4096×0.15 + 999×2.50 = 466.2 + 614.4 + 2497.5 = 3578.1
            ("moonshot", "kimi-x", Usage(promptTokens: 4_873, cachedPromptTokens: 4_096, completionTokens: 999, reasoningTokens: 640)),
            // 3×2.50 + 7×10 = 7.5 + 70 = 77.5
            ("openai", "gpt-x-2024-08-06", Usage(promptTokens: 3, completionTokens: 7)),
            // unpriced
            ("ollama", "free", Usage(promptTokens: 10, completionTokens: 10)),
        ]
        // Record every call three times, from concurrent tasks.
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<3 {
                for call in calls {
                    group.addTask { ledger.record(provider: call.0, model: call.1, usage: call.2) }
                }
            }
        }
        let snapshot = ledger.snapshot()
        // (8734.5 + 3578.1 + 77.5) × 3 / 1e6 = 12390.1 × 3 / 1e6 = 0.0371703
        #expect(snapshot.total.cost == Self.decimal("0.0371703"))
        #expect(snapshot.total.calls == 12)
        #expect(snapshot.total.unpricedCalls == 3)
        #expect(snapshot.total.usage.cachedPromptTokens == 3 * 4_196)
        #expect(snapshot.total.usage.cacheWriteTokens == 150)
        #expect(snapshot.total.usage.reasoningTokens == 3 * 640)
        #expect(snapshot.byModel[target("moonshot/kimi-x")]?.cost == Self.decimal("0.0107343"))
        #expect(snapshot.byModel[target("openai/gpt-x-2024-08-06")]?.cost == Self.decimal("0.0002325"))
        #expect(snapshot.byProvider["anthropic"]?.cost == Self.decimal("0.0262035"))
        #expect(snapshot.byProvider["ollama"]?.calls == 3)
        #expect(snapshot.byProvider["ollama"]?.cost == 0)
        ledger.reset()
        #expect(ledger.snapshot() == CostSnapshot())
    }

    @Test("a pre-call estimate prices estimated prompt tokens and maxTokens (or the default)")
    func estimate() {
        let calculator = CostCalculator(registry: Self.registry)
        var request = ChatRequest(messages: [.user(String(repeating: "a", count: 4_000))], maxTokens: 500)
        let prompt = TokenEstimator.estimatePromptTokens(request)
        let withMax = calculator.estimate(request: request, target: target("openai/gpt-x"))
        #expect(withMax.isEstimate)
        #expect(withMax.promptTokens == prompt)
        #expect(withMax.completionTokens == 500)
        #expect(withMax.cost == (Decimal(prompt) * Self.decimal("2.50") + 500 * 10) / 1_000_000)
        request.maxTokens = nil
        let byDefault = calculator.estimate(request: request, target: target("openai/gpt-x"))
        #expect(byDefault.completionTokens == CostCalculator.defaultEstimatedOutputTokens)
        #expect(calculator.estimate(request: request, target: target("ollama/free")).cost == nil)
    }
}
