import Foundation
import KimiSwarmEngine
import KimiSwarmPlatform
import KimiSwarmStore

/// A tenant as the API shows it.
struct TenantDTO: Encodable {
    var id: String
    var name: String
    var planID: String?
    var suspended: Bool
    var suspendedAt: Date?
    var createdAt: Date

    init(_ tenant: Tenant) {
        id = tenant.id
        name = tenant.name
        planID = tenant.planID
        suspended = tenant.isSuspended
        suspendedAt = tenant.suspendedAt
        createdAt = tenant.createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, suspended
        case planID = "plan_id"
        case suspendedAt = "suspended_at"
        case createdAt = "created_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(planID, forKey: .planID)
        try container.encode(suspended, forKey: .suspended)
        try container.encode(suspendedAt, forKey: .suspendedAt)
        try container.encode(createdAt, forKey: .createdAt)
    }
}

/// A member of the tenant: the user and their role there.
struct MemberDTO: Encodable {
    var userID: String
    var email: String?
    var displayName: String?
    var role: String
    var createdAt: Date

    init(_ membership: Membership, user: User?) {
        userID = membership.userID
        email = user?.email
        displayName = user?.displayName
        role = membership.role.rawValue
        createdAt = membership.createdAt
    }

    enum CodingKeys: String, CodingKey {
        case email, role
        case userID = "user_id"
        case displayName = "display_name"
        case createdAt = "created_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(userID, forKey: .userID)
        try container.encode(email, forKey: .email)
        try container.encode(displayName, forKey: .displayName)
        try container.encode(role, forKey: .role)
        try container.encode(createdAt, forKey: .createdAt)
    }
}

/// An API key's metadata; the secret is never part of it (only its display prefix).
struct APIKeyDTO: Encodable {
    var key: APIKey
    var now: Date
    /// The plain key, only in the answer that created it.
    var plaintext: String?

    enum CodingKeys: String, CodingKey {
        case id, name, role, prefix, status, key
        case userID = "user_id"
        case createdAt = "created_at"
        case lastUsedAt = "last_used_at"
        case revokedAt = "revoked_at"
        case expiresAt = "expires_at"
    }

    var status: String { key.revokedAt != nil ? "revoked" : key.isExpired(at: now) ? "expired" : "active" }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key.id, forKey: .id)
        try container.encode(key.name, forKey: .name)
        try container.encode(key.role.rawValue, forKey: .role)
        try container.encode(key.prefix, forKey: .prefix)
        try container.encode(status, forKey: .status)
        try container.encode(key.userID, forKey: .userID)
        try container.encode(key.createdAt, forKey: .createdAt)
        try container.encode(key.lastUsedAt, forKey: .lastUsedAt)
        try container.encode(key.revokedAt, forKey: .revokedAt)
        try container.encode(key.expiresAt, forKey: .expiresAt)
        if let plaintext { try container.encode(plaintext, forKey: .key) }
    }
}

/// A provider credential's metadata (never the secret).
struct CredentialDTO: Encodable {
    var provider: String
    var name: String
    var keyID: String
    var updatedAt: Date

    init(_ info: CredentialInfo) {
        provider = info.provider
        name = info.name
        keyID = info.keyID
        updatedAt = info.updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case provider, name
        case keyID = "master_key_id"
        case updatedAt = "updated_at"
    }
}

/// A plan with its limits.
struct PlanDTO: Encodable {
    var id: String
    var name: String
    var limits: LimitsDTO

    init(_ plan: Plan) {
        id = plan.id
        name = plan.name
        limits = LimitsDTO(plan.limits)
    }
}

/// Quota limits on the wire: every field present, `null` for "none" (unlimited on a plan,
/// "take the plan's" in a tenant's overrides). Decoding is strict: unknown fields are refused.
struct LimitsDTO: Codable {
    var monthlyTokenLimit: Int?
    var monthlyCostLimitUSD: DecimalText?
    var maxConcurrentRuns: Int?
    var requestsPerMinute: Int?
    var dailyTokenLimit: Int?
    var maxSubAgentsPerRun: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case monthlyTokenLimit = "monthly_token_limit"
        case monthlyCostLimitUSD = "monthly_cost_limit_usd"
        case maxConcurrentRuns = "max_concurrent_runs"
        case requestsPerMinute = "requests_per_minute"
        case dailyTokenLimit = "daily_token_limit"
        case maxSubAgentsPerRun = "max_subagents_per_run"
    }

    static let allowedKeys = Set(CodingKeys.allCases.map(\.rawValue))

    init(_ limits: QuotaLimits) {
        monthlyTokenLimit = limits.monthlyTokenLimit
        monthlyCostLimitUSD = limits.monthlyCostLimitUSD.map(DecimalText.init)
        maxConcurrentRuns = limits.maxConcurrentRuns
        requestsPerMinute = limits.requestsPerMinute
        dailyTokenLimit = limits.dailyTokenLimit
        maxSubAgentsPerRun = limits.maxSubAgentsPerRun
    }

    init(from decoder: any Decoder) throws {
        let prefix = decoder.codingPath.map(\.stringValue).joined(separator: ".")
        let unknown = try decoder.container(keyedBy: AnyCodingKey.self).allKeys.map(\.stringValue).filter { !Self.allowedKeys.contains($0) }
        if let first = unknown.sorted().first {
            let field = prefix.isEmpty ? first : "\(prefix).\(first)"
            throw APIError.unprocessable(
                "unknown field `\(field)`", hint: "Allowed: \(Self.allowedKeys.sorted().joined(separator: ", ")).", param: field)
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        monthlyTokenLimit = try container.decodeIntegerIfPresent(forKey: .monthlyTokenLimit)
        monthlyCostLimitUSD = try container.decodeIfPresent(DecimalText.self, forKey: .monthlyCostLimitUSD)
        maxConcurrentRuns = try container.decodeIntegerIfPresent(forKey: .maxConcurrentRuns)
        requestsPerMinute = try container.decodeIntegerIfPresent(forKey: .requestsPerMinute)
        dailyTokenLimit = try container.decodeIntegerIfPresent(forKey: .dailyTokenLimit)
        maxSubAgentsPerRun = try container.decodeIntegerIfPresent(forKey: .maxSubAgentsPerRun)
        let integers: [(CodingKeys, Int?, ClosedRange<Int>)] = [
            (.monthlyTokenLimit, monthlyTokenLimit, Self.tokenRange), (.maxConcurrentRuns, maxConcurrentRuns, Self.concurrentRunsRange),
            (.requestsPerMinute, requestsPerMinute, Self.requestsPerMinuteRange), (.dailyTokenLimit, dailyTokenLimit, Self.tokenRange),
            (.maxSubAgentsPerRun, maxSubAgentsPerRun, RunLimits.Bounds.maxSubAgents),
        ]
        for (key, value, range) in integers {
            guard let value, !range.contains(value) else { continue }
            let field = prefix.isEmpty ? key.rawValue : "\(prefix).\(key.rawValue)"
            throw APIError.unprocessable(
                "`\(field)` must be \(range.lowerBound) to \(range.upperBound), or null for no limit (got \(value))",
                hint: value == 0 ? "A limit of 0 would lock the tenant out; suspend the tenant instead." : nil, param: field)
        }
        if let cost = monthlyCostLimitUSD?.value, !(cost > 0 && cost <= Self.maxCostUSD) {
            let field = prefix.isEmpty ? CodingKeys.monthlyCostLimitUSD.rawValue : "\(prefix).\(CodingKeys.monthlyCostLimitUSD.rawValue)"
            throw APIError.unprocessable(
                "`\(field)` must be more than 0 and at most \(Self.maxCostUSD), or null for no limit", param: field)
        }
    }

    /// Token limits (a day's or a month's): 1 to 10^12.
    static let tokenRange = 1...1_000_000_000_000
    /// Runs at once: 1 to 10,000.
    static let concurrentRunsRange = 1...10_000
    /// Requests per minute: 1 to 1,000,000. Zero is refused: it would lock the tenant out,
    /// including from the route that would undo it.
    static let requestsPerMinuteRange = 1...1_000_000
    /// A month's spend: more than 0, at most a billion US dollars.
    static let maxCostUSD: Decimal = 1_000_000_000

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(monthlyTokenLimit, forKey: .monthlyTokenLimit)
        try container.encode(monthlyCostLimitUSD, forKey: .monthlyCostLimitUSD)
        try container.encode(maxConcurrentRuns, forKey: .maxConcurrentRuns)
        try container.encode(requestsPerMinute, forKey: .requestsPerMinute)
        try container.encode(dailyTokenLimit, forKey: .dailyTokenLimit)
        try container.encode(maxSubAgentsPerRun, forKey: .maxSubAgentsPerRun)
    }

    var limits: QuotaLimits {
        QuotaLimits(
            monthlyTokenLimit: monthlyTokenLimit, monthlyCostLimitUSD: monthlyCostLimitUSD?.value, maxConcurrentRuns: maxConcurrentRuns,
            requestsPerMinute: requestsPerMinute, dailyTokenLimit: dailyTokenLimit, maxSubAgentsPerRun: maxSubAgentsPerRun)
    }
}

/// Any key, for listing a container's keys.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(stringValue: String) { self.stringValue = stringValue }

    init?(intValue: Int) {
        stringValue = "\(intValue)"
        self.intValue = intValue
    }
}
