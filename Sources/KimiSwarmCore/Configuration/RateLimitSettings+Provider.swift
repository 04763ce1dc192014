extension RateLimitSettings {
    /// The limits of one provider: these client-wide limits, then the provider's preset, then
    /// the provider's own values (`providers.<name>.rate_limit.*`, and the older
    /// `max_concurrent`, `requests_per_minute`, `tokens_per_minute`), each later one winning.
    public func applying(_ provider: ProviderConfiguration) -> RateLimitSettings {
        var settings = self
        let own = provider.rateLimit
        if let preset = own.preset {
            settings.maxRequests = preset.requestsPerMinute
            settings.window = .seconds(60)
            settings.maxConcurrent = preset.maxConcurrent
            settings.maxTokensPerMinute = preset.tokensPerMinute
        }
        if let maxRequests = own.maxRequests { settings.maxRequests = maxRequests }
        if let window = own.window { settings.window = window }
        if let maxConcurrent = own.maxConcurrent { settings.maxConcurrent = maxConcurrent }
        if let tokens = own.maxTokensPerMinute { settings.maxTokensPerMinute = tokens }
        if let maxWait = own.maxWait { settings.maxWait = maxWait }
        return settings
    }
}
