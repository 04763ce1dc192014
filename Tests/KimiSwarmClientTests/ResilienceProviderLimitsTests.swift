import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting
import Testing

@Suite("Resilience: per-provider rate limits, Moonshot tier presets, defaults that do not throttle")
struct ResilienceProviderLimitsTests {
    static func load(_ environment: [String: String] = [:], yaml: String? = nil) throws -> KimiSwarmConfiguration {
        try ConfigurationLoader.load(environment: environment, configFile: yaml.map { ConfigFile(path: "k.yaml", contents: $0) })
            .configuration
    }

    static func loadError(_ environment: [String: String] = [:], yaml: String) -> KimiSwarmError? {
        do {
            _ = try load(environment, yaml: yaml)
            return nil
        } catch {
            return error as? KimiSwarmError
        }
    }

    @Test("the shipped limits set no request or token rate, and 512 in flight per provider")
    func defaultsDoNotThrottle() throws {
        let configuration = try Self.load()
        for provider in configuration.providers.values {
            let limits = configuration.rateLimit.applying(provider)
            #expect(limits.maxRequests == nil, "\(provider.id)")
            #expect(limits.maxTokensPerMinute == nil, "\(provider.id)")
            #expect(limits.maxConcurrent == 512, "\(provider.id)")
        }
    }

    @Test("the shipped limits let 100 calls through without waiting (the old 60 a minute made call 61 wait a second)")
    func defaultsLetALoadThrough() async throws {
        try await LoopbackProviderServer.withServer { server in
            let layer = RateLimitLayer(
                server.openAIProvider(), settings: RateLimitSettings().applying(server.openAIConfiguration()), clock: SystemClock(),
                logger: testLogger)
            let started = ContinuousClock.now
            let succeeded = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<100 {
                    group.addTask { (try? await layer.chat(ResilienceFixtures.request("call \(index)"))) != nil }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(succeeded == 100)
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    @Test("a preset sets the tier's limits; keys beside it win; other providers keep the client-wide limits")
    func presetInFile() throws {
        let configuration = try Self.load(yaml: """
            providers:
              moonshot:
                rate_limit: {preset: moonshot_tier2, max_concurrent: 20}
              together:
                rate_limit: {max_requests: 30, window: 10, max_wait: 5}
            rate_limit:
              max_requests: 1000
            """)
        let moonshot = configuration.rateLimit.applying(try configuration.provider(.moonshot))
        #expect(moonshot == RateLimitSettings(maxRequests: 500, window: .seconds(60), maxConcurrent: 20, maxTokensPerMinute: 3_000_000))
        let together = configuration.rateLimit.applying(try configuration.provider(.together))
        #expect(together == RateLimitSettings(maxRequests: 30, window: .seconds(10), maxWait: .seconds(5)))
        let openai = configuration.rateLimit.applying(try configuration.provider(.openai))
        #expect(openai == RateLimitSettings(maxRequests: 1000))
    }

    @Test("KIMI_MOONSHOT_TIER picks Moonshot's preset and replaces the file's; explicit KIMI_RATE_LIMIT__* still apply to the others")
    func tierFromEnvironment() throws {
        for (text, preset) in [("0", RateLimitPreset.moonshotTier0), ("tier3", .moonshotTier3), ("moonshot_tier5", .moonshotTier5)] {
            let configuration = try Self.load(
                ["KIMI_MOONSHOT_TIER": text, "KIMI_RATE_LIMIT__MAX_REQUESTS": "60"],
                yaml: "providers:\n  moonshot:\n    rate_limit: {preset: moonshot_tier1}\n")
            let moonshot = configuration.rateLimit.applying(try configuration.provider(.moonshot))
            #expect(moonshot.maxConcurrent == preset.maxConcurrent)
            #expect(moonshot.maxRequests == preset.requestsPerMinute)
            #expect(moonshot.maxTokensPerMinute == preset.tokensPerMinute)
            #expect(configuration.rateLimit.applying(try configuration.provider(.anthropic)).maxRequests == 60)
        }
        #expect(RateLimitPreset.moonshotTier1.maxConcurrent == 50 && RateLimitPreset.moonshotTier1.requestsPerMinute == 200)
        #expect(RateLimitPreset.moonshotTier5.maxConcurrent == 1000 && RateLimitPreset.moonshotTier5.requestsPerMinute == 10_000)
    }

    @Test("bad presets, tiers, keys and duplicated limits are reported with their path")
    func problems() throws {
        let badPreset = try #require(Self.loadError(yaml: "providers:\n  moonshot:\n    rate_limit: {preset: tier9}\n"))
        #expect(badPreset.message.contains("providers.moonshot.rate_limit.preset='tier9' is not a rate-limit preset (expected one of moonshot_tier0"))
        let typo = try #require(Self.loadError(yaml: "providers:\n  moonshot:\n    rate_limit: {max_concurent: 5}\n"))
        #expect(typo.message.contains("providers.moonshot.rate_limit.max_concurent is not a known key"))
        #expect(typo.message.contains("did you mean 'max_concurrent'?"))
        let twice = try #require(Self.loadError(yaml: "providers:\n  moonshot:\n    max_concurrent: 5\n    rate_limit: {max_concurrent: 6}\n"))
        #expect(twice.message.contains("providers.moonshot.max_concurrent and providers.moonshot.rate_limit.max_concurrent are both set"))
        let tier = try #require(Self.loadError(["KIMI_MOONSHOT_TIER": "7"], yaml: ""))
        #expect(tier.message.contains("KIMI_MOONSHOT_TIER='7' is not a Moonshot account tier (expected 0 to 5"))
    }
}
