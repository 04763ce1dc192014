import KimiSwarmClient
import KimiSwarmCore
import Testing

@Suite("Resilience: settings from the environment and the config file")
struct ResilienceSettingsTests {
    @Test("the new retry, circuit breaker and rate limit keys are read from KIMI_* variables")
    func environment() throws {
        let configuration = try ConfigurationLoader.load(
            environment: [
                "KIMI_RETRY__MAX_ATTEMPTS": "4", "KIMI_RETRY__BUDGET_RATIO": "0.3", "KIMI_RETRY__BUDGET_WINDOW": "20",
                "KIMI_RETRY__MIN_RETRIES_PER_WINDOW": "5", "KIMI_RETRY__MAX_RETRY_AFTER": "90",
                "KIMI_CIRCUIT_BREAKER__FAILURE_THRESHOLD": "6", "KIMI_CIRCUIT_BREAKER__FAILURE_RATE_THRESHOLD": "0.75",
                "KIMI_CIRCUIT_BREAKER__WINDOW": "120", "KIMI_CIRCUIT_BREAKER__MINIMUM_CALLS": "20",
                "KIMI_CIRCUIT_BREAKER__HALF_OPEN_MAX_PROBES": "3", "KIMI_CIRCUIT_BREAKER__HALF_OPEN_SUCCESSES_TO_CLOSE": "4",
                "KIMI_RATE_LIMIT__MAX_REQUESTS": "3", "KIMI_RATE_LIMIT__MAX_TOKENS_PER_MINUTE": "32000",
                "KIMI_RATE_LIMIT__MAX_WAIT": "12.5",
            ], configFile: nil
        ).configuration
        #expect(
            configuration.retry
                == RetrySettings(
                    maxAttempts: 4, budgetRatio: 0.3, budgetWindow: .seconds(20), minRetriesPerWindow: 5, maxRetryAfter: .seconds(90)))
        #expect(
            configuration.circuitBreaker
                == CircuitBreakerSettings(
                    failureThreshold: 6, failureRateThreshold: 0.75, window: .seconds(120), minimumCalls: 20, halfOpenMaxProbes: 3,
                    halfOpenSuccessesToClose: 4))
        #expect(configuration.rateLimit == RateLimitSettings(maxRequests: 3, maxTokensPerMinute: 32000, maxWait: .milliseconds(12_500)))
    }

    @Test("the new keys are read from the config file")
    func file() throws {
        let yaml = """
            retry:
              budget_ratio: 0.1
              max_retry_after: 15
            circuit_breaker:
              minimum_calls: 4
            rate_limit:
              max_tokens_per_minute: 1000
              max_wait: 2
            """
        let configuration = try ConfigurationLoader.load(environment: [:], configFile: ConfigFile(path: "k.yaml", contents: yaml))
            .configuration
        #expect(configuration.retry.budgetRatio == 0.1)
        #expect(configuration.retry.maxRetryAfter == .seconds(15))
        #expect(configuration.circuitBreaker.minimumCalls == 4)
        #expect(configuration.rateLimit.maxTokensPerMinute == 1000)
        #expect(configuration.rateLimit.maxWait == .seconds(2))
    }

    @Test("per-provider limits (the account's tier) override the rate_limit section")
    func providerOverrides() throws {
        let yaml = """
            providers:
              moonshot:
                max_concurrent: 50
                requests_per_minute: 200
                tokens_per_minute: 2000000
            rate_limit:
              max_requests: 10
              window: 1
            """
        let configuration = try ConfigurationLoader.load(environment: [:], configFile: ConfigFile(path: "k.yaml", contents: yaml))
            .configuration
        let moonshot = try configuration.provider(.moonshot)
        #expect(moonshot.maxConcurrent == 50)
        let limits = configuration.rateLimit.applying(moonshot)
        #expect(limits == RateLimitSettings(maxRequests: 200, window: .seconds(60), maxConcurrent: 50, maxTokensPerMinute: 2_000_000))
        let together = try configuration.provider(.together)
        #expect(configuration.rateLimit.applying(together) == configuration.rateLimit)
    }

    @Test("a ratio outside 0...1 is rejected")
    func badRatio() {
        #expect(throws: KimiSwarmError.self) {
            _ = try ConfigurationLoader.load(environment: ["KIMI_RETRY__BUDGET_RATIO": "1.5"], configFile: nil)
        }
    }
}
