/// A named set of client-side limits matching a provider account's tier
/// (`providers.<name>.rate_limit.preset`, or `KIMI_MOONSHOT_TIER` for Moonshot).
///
/// Moonshot's API accounts are tiered by their cumulative top-up; each tier allows so many
/// requests in flight, requests per minute and tokens per minute (Moonshot's "Recharge and
/// Rate Limits" table):
///
/// | preset | concurrent | requests per minute | tokens per minute |
/// | --- | --- | --- | --- |
/// | `moonshot_tier0` | 1 | 3 | 500,000 |
/// | `moonshot_tier1` | 50 | 200 | 2,000,000 |
/// | `moonshot_tier2` | 100 | 500 | 3,000,000 |
/// | `moonshot_tier3` | 200 | 5,000 | 3,000,000 |
/// | `moonshot_tier4` | 400 | 5,000 | 4,000,000 |
/// | `moonshot_tier5` | 1,000 | 10,000 | 5,000,000 |
public enum RateLimitPreset: String, Sendable, Hashable, CaseIterable, Codable {
    case moonshotTier0 = "moonshot_tier0"
    case moonshotTier1 = "moonshot_tier1"
    case moonshotTier2 = "moonshot_tier2"
    case moonshotTier3 = "moonshot_tier3"
    case moonshotTier4 = "moonshot_tier4"
    case moonshotTier5 = "moonshot_tier5"

    /// Requests in flight at once.
    public var maxConcurrent: Int {
        switch self {
        case .moonshotTier0: 1
        case .moonshotTier1: 50
        case .moonshotTier2: 100
        case .moonshotTier3: 200
        case .moonshotTier4: 400
        case .moonshotTier5: 1000
        }
    }

    /// Requests per minute.
    public var requestsPerMinute: Int {
        switch self {
        case .moonshotTier0: 3
        case .moonshotTier1: 200
        case .moonshotTier2: 500
        case .moonshotTier3, .moonshotTier4: 5000
        case .moonshotTier5: 10_000
        }
    }

    /// Tokens (prompt and output) per minute.
    public var tokensPerMinute: Int {
        switch self {
        case .moonshotTier0: 500_000
        case .moonshotTier1: 2_000_000
        case .moonshotTier2, .moonshotTier3: 3_000_000
        case .moonshotTier4: 4_000_000
        case .moonshotTier5: 5_000_000
        }
    }

    /// The Moonshot preset of tier `tier` (0...5), or `nil`.
    public static func moonshot(tier: Int) -> RateLimitPreset? {
        RateLimitPreset(rawValue: "moonshot_tier\(tier)")
    }
}
