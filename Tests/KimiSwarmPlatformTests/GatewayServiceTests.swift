import Foundation
import KimiSwarmClient
import KimiSwarmCore
@testable import KimiSwarmPlatform
import KimiSwarmStore
import KimiSwarmTesting
import Prometheus
import Testing

/// The gateway's application without HTTP: a ``GatewayService`` on a real SQLite store, calling
/// a loopback provider, timed by a manual clock.
@Suite("Gateway service")
struct GatewayServiceTests {
    /// The service and what a test looks at.
    struct Harness: Sendable {
        let service: GatewayService
        let store: SwarmStore
        let provider: LoopbackProviderServer
        let clock: ManualClock
        let quotas: QuotaEnforcer

        /// A new tenant and a principal of its (an API key's).
        func principal() async throws -> Principal {
            let tenant = try await store.directory.createTenant(name: "t-\(UUID().uuidString.prefix(6))", planID: nil)
            return Principal(tenantID: tenant.id, role: .tenantAdmin, apiKeyID: "key-\(tenant.id)", method: .apiKey)
        }

        /// The tenant's ledger, once its queued records are written.
        func ledger(_ principal: Principal) async throws -> [UsageRecord] {
            await service.meter.flush()
            return try await store.usage.ledger(
                tenantID: principal.tenantID, from: Date().addingTimeInterval(-86_400), to: Date().addingTimeInterval(86_400))
        }
    }

    static func withService<T: Sendable>(_ body: @escaping @Sendable (Harness) async throws -> T) async throws -> T {
        try await LoopbackProviderServer.withServer { provider in
            try await withFreshSQLite { location in
                try await SwarmStore.withStore(StoreConfiguration(location: location), logger: serverTestLogger) { store in
                    let clock = ManualClock()
                    // Moonshot with a key; OpenAI configured without one (as deployed with only one key).
                    var configuration = KimiSwarmConfiguration.loopback(baseURL: provider.baseURL + "/v1", apiKey: "sk-test-server")
                    configuration.providers[.openai] = ProviderConfiguration(
                        id: .openai, kind: .openAICompatible, baseURL: provider.baseURL + "/v1", defaultModel: "gpt-5-mini")
                    let metrics = PrometheusMetricsFactory(registry: PrometheusCollectorRegistry())
                    let client = LLMClient(
                        configuration: configuration, registry: DefaultModelRegistry.load(), logger: serverTestLogger,
                        httpClient: providerHTTPClient,
                        cache: ResponseCache(store: DatabaseResponseCache(store: store), metricsFactory: metrics), metrics: metrics)
                    let quotas = QuotaEnforcer(store: store)
                    let meter = UsageMeter(
                        client: client, recorder: UsageRecorder(store: store, logger: serverTestLogger), quotas: quotas, metrics: nil,
                        clock: clock)
                    let service = GatewayService(
                        client: client, clients: TenantClients(base: client, store: store, metrics: nil, logger: serverTestLogger),
                        meter: meter, quotas: quotas, clock: clock)
                    return try await body(Harness(service: service, store: store, provider: provider, clock: clock, quotas: quotas))
                }
            }
        }
    }

    static func request(_ text: String = "the same prompt") -> ChatRequest {
        var request = ChatRequest(messages: [ChatMessage(role: .user, content: .text(text))])
        request.model = "kimi-k2.6"
        return request
    }

    @Test("a call is billed with its latency on the injected clock; the tenant's repeat is a hit billed 0; another tenant's is not")
    func chatBilledAndCachedPerTenant() async throws {
        try await Self.withService { harness in
            let (alice, bob) = (try await harness.principal(), try await harness.principal())
            // The provider takes 1.5 s of the manual clock to answer.
            harness.provider.setRequestObserver { _ in harness.clock.advance(by: .milliseconds(1500)) }
            let first = try await harness.service.chat(Self.request(), principal: alice)
            #expect(first.id.hasPrefix("chatcmpl-") && first.created > 0)
            _ = try await harness.service.chat(Self.request(), principal: alice)
            _ = try await harness.service.chat(Self.request(), principal: bob)
            #expect(harness.provider.requestCount == 2, "bob's call must reach the provider, not alice's cached answer")

            let rows = try await harness.ledger(alice)
            #expect(rows.count == 2)
            let miss = try #require(rows.first { !$0.cacheHit })
            let hit = try #require(rows.first { $0.cacheHit })
            #expect(miss.latencyMilliseconds == 1500 && miss.costUSD > 0 && miss.apiKeyID == alice.apiKeyID)
            #expect(hit.costUSD == 0 && hit.savedUSD == miss.costUSD && hit.latencyMilliseconds == 0)
            let bobs = try await harness.ledger(bob)
            #expect(bobs.count == 1 && bobs.allSatisfy { !$0.cacheHit && $0.costUSD == miss.costUSD })
            #expect(harness.quotas.reserved(tenantID: alice.tenantID) == (0, 0))
        }
    }

    @Test("a stream hands over deltas then the answer, billed once before it; the hold is released")
    func streamBilledBeforeTheAnswer() async throws {
        try await Self.withService { harness in
            let principal = try await harness.principal()
            harness.provider.enqueue(OpenAIWire.stream(model: "kimi-k2.6", content: "Hello from the stream", chunkSize: 5))
            let request = Self.request()
            let stream = try await harness.service.chatStream(request, principal: principal)
            #expect(stream.model == "kimi-k2.6" && stream.id.hasPrefix("chatcmpl-") && !stream.cacheHit)
            #expect(stream.created == Int(harness.clock.date().timeIntervalSince1970))
            #expect(harness.quotas.reserved(tenantID: principal.tenantID).tokens > 0, "the call holds its maximum while it runs")
            var text = ""
            var answer: ChatResponse?
            for await event in stream {
                switch event {
                case .delta(.contentDelta(let delta)): text += delta
                case .delta: break
                case .finished(let response):
                    answer = response
                    // Billed before it is handed over.
                    #expect(harness.quotas.reserved(tenantID: principal.tenantID) == (0, 0))
                case .failed(let error): Issue.record("the stream failed: \(error)")
                }
            }
            #expect(text == "Hello from the stream")
            let final = try #require(answer)
            stream.close()
            let rows = try await harness.ledger(principal)
            #expect(rows.count == 1, "closing a billed stream bills nothing more")
            #expect(rows.first?.usage == final.usage && rows.first?.cacheHit == false)
        }
    }

    @Test("a stream its caller stops reading is billed the prompt estimate and the delivered text, and its upstream closed")
    func streamClosedEarly() async throws {
        try await Self.withService { harness in
            let principal = try await harness.principal()
            // The provider sends the role chunk and two deltas, then goes silent.
            harness.provider.enqueue(.sse(events: OpenAIWire.streamEvents(model: "kimi-k2.6", content: "abcdefghijkl", chunkSize: 4), stallAfter: 3))
            let request = Self.request()
            var delivered = ""
            var promptEstimate = 0
            do {
                let stream = try await harness.service.chatStream(request, principal: principal)
                for await event in stream {
                    if case .delta(.contentDelta(let delta)) = event { delivered += delta }
                    if delivered.count >= 8 { break }
                }
                promptEstimate = TokenEstimator.estimatePromptTokens(request)
                stream.close()
                #expect(harness.quotas.reserved(tenantID: principal.tenantID) == (0, 0))
            }
            #expect(delivered == "abcdefgh")
            #expect(await harness.provider.waitForClientDisconnects(1, timeout: .seconds(10)), "the upstream call kept running")
            let rows = try await harness.ledger(principal)
            #expect(rows.count == 1)
            #expect(rows.first?.usage.promptTokens == promptEstimate && rows.first?.usage.completionTokens == TokenEstimator.estimate(delivered))
            #expect(rows.first?.model == "kimi-k2.6")
        }
    }

    @Test("a call cancelled while the provider works is billed its prompt estimate, and its hold released")
    func cancelledChatBillsThePrompt() async throws {
        try await Self.withService { harness in
            let principal = try await harness.principal()
            harness.provider.enqueue(.hang)
            let result = await withTaskGroup(of: (any Error)?.self) { group in
                group.addTask {
                    do {
                        _ = try await harness.service.chat(Self.request("a long question"), principal: principal)
                        return nil
                    } catch { return error }
                }
                #expect(await harness.provider.waitForRequests(1, timeout: .seconds(10)))
                group.cancelAll()
                return await group.next() ?? nil
            }
            #expect(result is CancellationError, "\(String(describing: result))")
            #expect(harness.quotas.reserved(tenantID: principal.tenantID) == (0, 0))
            let rows = try await harness.ledger(principal)
            #expect(rows.count == 1 && rows.first?.usage.completionTokens == 0 && (rows.first?.usage.promptTokens ?? 0) > 0)
        }
    }

    @Test("models lists what the tenant can call; a model only a provider without credentials offers is refused as model_not_found")
    func modelsAndMissingCredentials() async throws {
        try await Self.withService { harness in
            let principal = try await harness.principal()
            let models = try await harness.service.models(principal: principal)
            #expect(models.first == GatewayModel(id: "kimi-k2.6", ownedBy: "moonshot"))
            #expect(!models.contains { $0.id == "gpt-5-mini" || $0.ownedBy == "openai" })
            #expect(Set(models.map(\.id)).count == models.count)
            var request = Self.request()
            request.model = "gpt-5-mini"
            let thrown = try await refusal { _ = try await harness.service.chat(request, principal: principal) }
            let refused = try #require(thrown)
            #expect(refused.kind == .notFound && refused.type == "model_not_found" && refused.param == "model")
            #expect(refused.message.contains("`openai` has no credentials"))
            #expect(harness.provider.requestCount == 0 && harness.quotas.reserved(tenantID: principal.tenantID) == (0, 0))
            #expect(try await harness.ledger(principal).isEmpty)
        }
    }

    /// The refusal `body` threw, if it threw one.
    func refusal(_ body: () async throws -> Void) async throws -> PlatformError? {
        do {
            try await body()
            return nil
        } catch let error as PlatformError {
            return error
        } catch {
            return nil
        }
    }
}
