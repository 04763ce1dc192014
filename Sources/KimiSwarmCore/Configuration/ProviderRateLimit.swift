/// One provider's own client-side limits (`providers.<name>.rate_limit` in the config file), so
/// that each provider can match its account's tier.
///
/// Every value is optional: what is unset comes from the ``preset``, then from the client-wide
/// ``RateLimitSettings`` (`rate_limit`, `KIMI_RATE_LIMIT__*`). ``RateLimitSettings/applying(_:)``
/// resolves them.
public struct ProviderRateLimit: Sendable, Hashable {
    /// Named limits of an account tier (`preset`, e.g. `moonshot_tier2`); the other values
    /// here override the preset's.
    public var preset: RateLimitPreset?
    /// Requests per ``window`` (`max_requests`).
    public var maxRequests: Int?
    /// The window of ``maxRequests`` (`window`, seconds; 60 when only `max_requests` is set).
    public var window: Duration?
    /// Requests in flight at once (`max_concurrent`).
    public var maxConcurrent: Int?
    /// Estimated tokens per minute (`max_tokens_per_minute`).
    public var maxTokensPerMinute: Int?
    /// Longest wait for a request token or a slot (`max_wait`, seconds).
    public var maxWait: Duration?

    /// Creates limits; by default none of the provider's own.
    public init(
        preset: RateLimitPreset? = nil, maxRequests: Int? = nil, window: Duration? = nil, maxConcurrent: Int? = nil,
        maxTokensPerMinute: Int? = nil, maxWait: Duration? = nil
    ) {
        self.preset = preset
        self.maxRequests = maxRequests
        self.window = window
        self.maxConcurrent = maxConcurrent
        self.maxTokensPerMinute = maxTokensPerMinute
        self.maxWait = maxWait
    }

    /// Whether the provider sets no limit of its own.
    public var isEmpty: Bool { self == ProviderRateLimit() }
}
