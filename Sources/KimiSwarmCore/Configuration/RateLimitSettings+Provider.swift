extension RateLimitSettings {
    /// These limits with the provider's own overrides applied (`max_concurrent`,
    /// `requests_per_minute`, `tokens_per_minute` under `providers.<name>`), so that each
    /// provider can match its account's tier.
    public func applying(_ provider: ProviderConfiguration) -> RateLimitSettings {
        var settings = self
        if let maxConcurrent = provider.maxConcurrent { settings.maxConcurrent = maxConcurrent }
        if let requestsPerMinute = provider.requestsPerMinute {
            settings.maxRequests = requestsPerMinute
            settings.window = .seconds(60)
        }
        if let tokensPerMinute = provider.tokensPerMinute { settings.maxTokensPerMinute = tokensPerMinute }
        return settings
    }
}
