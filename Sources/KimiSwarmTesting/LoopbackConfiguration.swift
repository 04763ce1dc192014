public import KimiSwarmCore

extension KimiSwarmConfiguration {
    /// A configuration whose only provider, Moonshot (default model `kimi-k2.6`), is a loopback
    /// fake at `baseURL` (the `/v1` root): cache off, limits high enough for swarms and load.
    public static func loopback(
        baseURL: String, apiKey: String, retries: Int = 1, maxRequests: Int = 1_000_000, maxConcurrent: Int = 256,
        requestTimeout: Duration = .seconds(60)
    ) -> KimiSwarmConfiguration {
        var configuration = KimiSwarmConfiguration()
        configuration.retry.maxAttempts = retries
        configuration.rateLimit.maxRequests = maxRequests
        configuration.rateLimit.maxConcurrent = maxConcurrent
        configuration.cache.enabled = false
        configuration.defaultProvider = .moonshot
        configuration.providers = [
            .moonshot: ProviderConfiguration(
                id: .moonshot, kind: .openAICompatible, baseURL: baseURL, apiKey: Secret(apiKey), apiKeyVariable: "MOONSHOT_API_KEY",
                defaultModel: "kimi-k2.6", requestTimeout: requestTimeout, dialect: .moonshot)
        ]
        return configuration
    }
}
