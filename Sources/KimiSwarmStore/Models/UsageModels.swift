public import Foundation
public import KimiSwarmCore

/// One LLM call in the usage ledger.
public struct UsageRecord: Sendable, Hashable, Codable {
    public var id: String
    public var tenantID: String
    public var userID: String?
    public var apiKeyID: String?
    public var runID: String?
    /// The run's agent that made the call (a sub-agent's id, `planner`, `synthesis`).
    public var agentID: String?
    public var templateID: String?
    public var provider: String
    public var model: String
    public var usage: Usage
    /// Exact cost in US dollars (0 for a call the response cache answered).
    public var costUSD: Decimal
    /// What a call the response cache answered would have cost (0 for other calls).
    public var savedUSD: Decimal
    public var latencyMilliseconds: Int
    public var cacheHit: Bool
    public var createdAt: Date

    public init(
        id: String = UUID().uuidString, tenantID: String, userID: String? = nil, apiKeyID: String? = nil,
        runID: String? = nil, agentID: String? = nil, templateID: String? = nil, provider: String, model: String, usage: Usage,
        costUSD: Decimal, savedUSD: Decimal = 0, latencyMilliseconds: Int, cacheHit: Bool = false, createdAt: Date = Date()
    ) {
        self.id = id
        self.tenantID = tenantID
        self.userID = userID
        self.apiKeyID = apiKeyID
        self.runID = runID
        self.agentID = agentID
        self.templateID = templateID
        self.provider = provider
        self.model = model
        self.usage = usage
        self.costUSD = costUSD
        self.savedUSD = savedUSD
        self.latencyMilliseconds = latencyMilliseconds
        self.cacheHit = cacheHit
        self.createdAt = createdAt
    }
}

/// One day of usage for one (tenant, provider, model, template, key); empty strings stand
/// for "none" in the template and key columns.
public struct UsageRollup: Sendable, Hashable, Codable {
    public struct Key: Sendable, Hashable, Codable {
        public var tenantID: String
        /// `YYYY-MM-DD` in UTC.
        public var day: String
        public var provider: String
        public var model: String
        public var templateID: String
        public var apiKeyID: String

        public init(tenantID: String, day: String, provider: String, model: String, templateID: String, apiKeyID: String) {
            self.tenantID = tenantID
            self.day = day
            self.provider = provider
            self.model = model
            self.templateID = templateID
            self.apiKeyID = apiKeyID
        }
    }

    public var key: Key
    public var calls: Int
    public var cacheHits: Int
    public var usage: Usage
    public var costUSD: Decimal
    /// What the calls the response cache answered would have cost.
    public var savedUSD: Decimal
    public var latencyMillisecondsTotal: Int

    public init(
        key: Key, calls: Int = 0, cacheHits: Int = 0, usage: Usage = .zero, costUSD: Decimal = 0, savedUSD: Decimal = 0,
        latencyMillisecondsTotal: Int = 0
    ) {
        self.key = key
        self.calls = calls
        self.cacheHits = cacheHits
        self.usage = usage
        self.costUSD = costUSD
        self.savedUSD = savedUSD
        self.latencyMillisecondsTotal = latencyMillisecondsTotal
    }

    /// This rollup with one more ledger row.
    public func adding(_ record: UsageRecord) -> UsageRollup {
        var next = self
        next.calls += 1
        next.cacheHits += record.cacheHit ? 1 : 0
        next.usage += record.usage
        next.costUSD += record.costUSD
        next.savedUSD += record.savedUSD
        next.latencyMillisecondsTotal += record.latencyMilliseconds
        return next
    }

    /// The rollup key of a ledger row.
    public static func key(of record: UsageRecord) -> Key {
        Key(
            tenantID: record.tenantID, day: day(of: record.createdAt), provider: record.provider, model: record.model,
            templateID: record.templateID ?? "", apiKeyID: record.apiKeyID ?? "")
    }

    /// `YYYY-MM-DD` (UTC) of a date.
    public static func day(of date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}

/// What ``UsageRepository/breakdown(tenantID:fromDay:toDay:by:)`` groups by.
public enum UsageDimension: String, Sendable, Hashable, Codable, CaseIterable {
    /// `YYYY-MM-DD` (UTC).
    case day
    /// The model id.
    case model
    /// The provider.
    case provider
    /// The template id; `""` for calls outside a template.
    case template
    /// The API key id; `""` for calls made without a key.
    case apiKey = "api_key"
}

/// Usage summed over one group (a day, a model, a user...).
public struct UsageGroup: Sendable, Hashable, Codable {
    /// The group's value of the dimension (`""` for "none").
    public var key: String
    /// LLM calls.
    public var calls: Int
    /// Calls answered from the response cache.
    public var cacheHits: Int
    /// Tokens summed.
    public var usage: Usage
    /// Exact cost in US dollars.
    public var costUSD: Decimal
    /// What the calls the response cache answered would have cost.
    public var savedUSD: Decimal

    /// Creates a group.
    public init(key: String, calls: Int = 0, cacheHits: Int = 0, usage: Usage = .zero, costUSD: Decimal = 0, savedUSD: Decimal = 0) {
        self.key = key
        self.calls = calls
        self.cacheHits = cacheHits
        self.usage = usage
        self.costUSD = costUSD
        self.savedUSD = savedUSD
    }
}
