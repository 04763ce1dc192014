public import Foundation

/// A tenant: the unit of isolation.
public struct Tenant: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var planID: String?
    public var createdAt: Date
    /// When a super-admin suspended the tenant; `nil` while it is active.
    public var suspendedAt: Date? = nil

    /// Whether the tenant is suspended (its keys and users are refused).
    public var isSuspended: Bool { suspendedAt != nil }
}

/// A person who can sign in; belongs to tenants through memberships.
public struct User: Sendable, Hashable, Codable {
    public var id: String
    public var email: String
    public var displayName: String
    public var isSuperAdmin: Bool
    public var createdAt: Date
}

/// What sign-in needs about a user.
public struct UserCredentials: Sendable, Hashable {
    public var user: User
    /// The scrypt hash (``PasswordHasher``); `nil` when the user has no password (API key or
    /// single sign-on only).
    public var passwordHash: String?
    /// Failed sign-ins since the last success or lock.
    public var failedLogins: Int
    /// Sign-in is refused until this time; `nil` (or a past time) when not locked.
    public var lockedUntil: Date?
}

/// A user's role in one tenant.
public struct Membership: Sendable, Hashable, Codable {
    public var tenantID: String
    public var userID: String
    public var role: Role
    public var createdAt: Date
}

/// An API key as stored: a hash and a display prefix, never the key.
public struct APIKey: Sendable, Hashable, Codable {
    public var tenantID: String
    public var id: String
    public var userID: String?
    public var name: String
    public var role: Role
    /// The first characters of the key, for display (`ks_Ab12cd`).
    public var prefix: String
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?
    /// When the key stops working; `nil` for a key that never expires.
    public var expiresAt: Date? = nil

    /// Whether the key has expired at `date`.
    public func isExpired(at date: Date) -> Bool { expiresAt.map { $0 <= date } ?? false }

    /// Whether the key may be used at `date`: neither revoked nor expired.
    public func isUsable(at date: Date) -> Bool { revokedAt == nil && !isExpired(at: date) }
}

/// A freshly created key: the only time the plain key is available.
public struct CreatedAPIKey: Sendable {
    public var key: APIKey
    /// The plain key, to show once.
    public var plaintext: String
}

/// A provider credential's metadata (never the secret).
public struct CredentialInfo: Sendable, Hashable {
    public var tenantID: String
    public var provider: String
    public var name: String
    /// Which master key it is encrypted under.
    public var keyID: String
    public var updatedAt: Date
}

/// An agent template of a tenant; `definition` is the template as JSON or YAML text.
public struct AgentTemplateRecord: Sendable, Hashable, Codable {
    public var tenantID: String
    public var id: String
    public var name: String
    public var definition: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(tenantID: String, id: String, name: String, definition: String, createdAt: Date = Date(), updatedAt: Date = Date()) {
        self.tenantID = tenantID
        self.id = id
        self.name = name
        self.definition = definition
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A plan: default limits for tenants on it. `nil` means unlimited.
public struct Plan: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var limits: QuotaLimits

    public init(id: String, name: String, limits: QuotaLimits) {
        self.id = id
        self.name = name
        self.limits = limits
    }
}

/// Limits of a plan or a tenant's overrides. `nil` means "not set".
public struct QuotaLimits: Sendable, Hashable, Codable {
    public var monthlyTokenLimit: Int?
    public var monthlyCostLimitUSD: Decimal?
    public var maxConcurrentRuns: Int?
    public var requestsPerMinute: Int?
    /// Tokens (input plus output) per UTC day.
    public var dailyTokenLimit: Int?
    /// Sub-agents one run may start.
    public var maxSubAgentsPerRun: Int?

    public init(
        monthlyTokenLimit: Int? = nil, monthlyCostLimitUSD: Decimal? = nil, maxConcurrentRuns: Int? = nil, requestsPerMinute: Int? = nil,
        dailyTokenLimit: Int? = nil, maxSubAgentsPerRun: Int? = nil
    ) {
        self.monthlyTokenLimit = monthlyTokenLimit
        self.monthlyCostLimitUSD = monthlyCostLimitUSD
        self.maxConcurrentRuns = maxConcurrentRuns
        self.requestsPerMinute = requestsPerMinute
        self.dailyTokenLimit = dailyTokenLimit
        self.maxSubAgentsPerRun = maxSubAgentsPerRun
    }

    /// The stricter of these limits and `ceiling`, limit by limit (`nil` is no limit).
    public func tightening(_ ceiling: QuotaLimits) -> QuotaLimits {
        func lower<T: Comparable>(_ a: T?, _ b: T?) -> T? {
            guard let a else { return b }
            guard let b else { return a }
            return min(a, b)
        }
        return QuotaLimits(
            monthlyTokenLimit: lower(monthlyTokenLimit, ceiling.monthlyTokenLimit),
            monthlyCostLimitUSD: lower(monthlyCostLimitUSD, ceiling.monthlyCostLimitUSD),
            maxConcurrentRuns: lower(maxConcurrentRuns, ceiling.maxConcurrentRuns),
            requestsPerMinute: lower(requestsPerMinute, ceiling.requestsPerMinute),
            dailyTokenLimit: lower(dailyTokenLimit, ceiling.dailyTokenLimit),
            maxSubAgentsPerRun: lower(maxSubAgentsPerRun, ceiling.maxSubAgentsPerRun))
    }

    /// These limits with every unset one taken from `fallback`.
    public func overriding(_ fallback: QuotaLimits) -> QuotaLimits {
        QuotaLimits(
            monthlyTokenLimit: monthlyTokenLimit ?? fallback.monthlyTokenLimit,
            monthlyCostLimitUSD: monthlyCostLimitUSD ?? fallback.monthlyCostLimitUSD,
            maxConcurrentRuns: maxConcurrentRuns ?? fallback.maxConcurrentRuns,
            requestsPerMinute: requestsPerMinute ?? fallback.requestsPerMinute,
            dailyTokenLimit: dailyTokenLimit ?? fallback.dailyTokenLimit,
            maxSubAgentsPerRun: maxSubAgentsPerRun ?? fallback.maxSubAgentsPerRun)
    }
}
