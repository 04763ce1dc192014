import Foundation
import KimiSwarmCore
import KimiSwarmStore
import KimiSwarmTesting
import NIOHTTP1
import Testing

/// Findings that only the real `swarm serve` shows (its data folder, its default providers,
/// its response cache): where the cache lives, whom it answers, and which models it offers.
@Suite("Security regressions: swarm serve as deployed")
struct ServedIsolationTests {
    static func dataFolder(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
    }

    @Test("swarm serve keeps its response cache in its database, not in the folder it was started from")
    func cacheLivesInTheDataDirectory() async throws {
        let data = Self.dataFolder("serve-cache")
        defer { try? FileManager.default.removeItem(at: data) }
        try await LoopbackProviderServer.withServer { provider in
            let server = try await ServedSwarm.start(data: data, provider: provider, workers: 0)
            for _ in 0..<2 {
                let answer = try await server.call(.POST, "/v1/chat/completions", #"{"model":"kimi-k2.6","messages":[{"role":"user","content":"cache me"}]}"#)
                #expect(answer.status == 200)
            }
            #expect(provider.requestCount == 1, "the second call is a cache hit")
            let folder = try FileManager.default.contentsOfDirectory(atPath: server.process.workingDirectory.path)
            #expect(!folder.contains(".kimiswarm"), "the working directory holds \(folder)")
            await server.stop()
            let rows = try await SwarmStore.withStore(
                StoreConfiguration(location: .sqlite(path: data.appendingPathComponent("kimiswarm.sqlite").path)), logger: serverTestLogger
            ) { store in try await store.responseCache.countResponses() }
            #expect(rows == 1)
        }
    }

    @Test("a model only key-less providers offer is a 404 model_not_found, never a 503; /v1/models lists what can be called")
    func modelsWithoutCredentials() async throws {
        let data = Self.dataFolder("serve-models")
        defer { try? FileManager.default.removeItem(at: data) }
        try await LoopbackProviderServer.withServer { provider in
            // As deployed: every built-in provider is configured, only Moonshot has a key.
            let server = try await ServedSwarm.start(data: data, provider: provider, workers: 0)
            let models = try await server.call(.GET, "/v1/models").json
            let ids = models?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            #expect(ids.contains("kimi-k2.6") && !ids.contains("gpt-5-mini") && !ids.contains("claude-sonnet-4-5"))
            let chat = try await server.call(.POST, "/v1/chat/completions", #"{"model":"gpt-5-mini","messages":[{"role":"user","content":"hi"}]}"#)
            #expect(chat.status == 404 && chat.json?["error"]?["code"]?.stringValue == "model_not_found")
            #expect(chat.json?["error"]?["param"]?.stringValue == "model")
            #expect(try await server.call(.POST, "/v1/embeddings", #"{"model":"text-embedding-3-small","input":"hi"}"#).status == 404)
            #expect(try await server.call(.POST, "/v1/chat/completions", #"{"model":"kimi-k2.6","messages":[{"role":"user","content":"hi"}]}"#).status == 200)
            #expect(provider.requestCount == 1)
            #expect(await server.stop() == 0)
        }
    }

    @Test("runs use their tenant's cache scope: the same prompts from another tenant are not answered from the first one's cache; hits are billed as hits")
    func runCacheIsolation() async throws {
        let data = Self.dataFolder("serve-cache-runs")
        defer { try? FileManager.default.removeItem(at: data) }
        try await LoopbackProviderServer.withServer { provider in
            provider.setResponder(SwarmScript().respond)
            let server = try await ServedSwarm.start(data: data, provider: provider, workers: 1)
            func tenantKey(_ id: String) async throws -> String {
                _ = try await server.call(.POST, "/api/v1/tenants", #"{"name":"\#(id)","id":"\#(id)"}"#)
                return try #require(try await server.call(.POST, "/api/v1/keys", #"{"name":"k","role":"developer"}"#, tenant: id).json?["key"]?.stringValue)
            }
            /// The model calls one run of the three-task graph made.
            func run(_ key: String) async throws -> Int {
                let before = provider.requestCount
                let created = try await server.call(.POST, "/api/v1/runs", #"{"task":"Design it","graph":\#(threeTaskGraph)}"#, key: key)
                let id = try #require(created.json?["id"]?.stringValue)
                #expect(try await server.waitForRun(id, key: key) == "succeeded")
                return provider.requestCount - before
            }
            let first = try await tenantKey("cache-a")
            let second = try await tenantKey("cache-b")
            let callsA = try await run(first)
            #expect(callsA >= 4)
            #expect(try await run(second) == callsA, "tenant B's run must call the model itself")
            #expect(try await run(first) == 0, "tenant A's same run is answered from its own cache")
            // A run's usage is in the ledger when it reads as finished. Tenant A's second run
            // was answered from its cache: billed 0, each call a hit, the saving shown.
            func total(_ tenant: String) async throws -> (calls: Int, hits: Int, cost: Decimal, saved: Decimal) {
                let total = try #require(try await server.call(.GET, "/api/v1/usage", tenant: tenant).json?["total"])
                return (
                    total["calls"]?.intValue ?? -1, total["cache_hits"]?.intValue ?? -1,
                    try #require(total["cost_usd"]?.stringValue.flatMap { Decimal(string: $0) }),
                    try #require(total["saved_usd"]?.stringValue.flatMap { Decimal(string: $0) }))
            }
            let usageA = try await total("cache-a")
            #expect(usageA.calls == 2 * callsA && usageA.hits == callsA)
            #expect(usageA.cost > 0 && usageA.saved == usageA.cost, "the hits saved what the first run cost: \(usageA)")
            let usageB = try await total("cache-b")
            #expect(usageB.calls == callsA && usageB.hits == 0 && usageB.saved == 0 && usageB.cost == usageA.cost)
            await server.stop()
        }
    }
}
