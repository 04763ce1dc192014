public import Foundation
public import KimiSwarmCore
public import KimiSwarmEngine
import KimiSwarmPlatform

/// Everything the server needs to know that is not a dependency: where to listen, limits,
/// workers and auth. Every value has a default; the command line fills it from flags, the
/// environment and the config file, tests in code.
public struct ServerConfiguration: Sendable {
    /// Listening address, data folder, database, workers, body limit and timeouts.
    public var settings: ServerSettings
    /// The key of the first super admin (`KIMISWARM_ADMIN_KEY`); `nil` makes one on first start.
    public var adminKey: Secret?
    /// The first super admin's dashboard password (`KIMISWARM_ADMIN_PASSWORD`), set when that
    /// user has none yet.
    public var adminPassword: Secret?
    /// scrypt's cost (log2 N) for new password hashes; 17 in production, less in tests.
    public var passwordCost: Int
    /// The secret that signs session tokens (`KIMISWARM_JWT_SECRET`, at least 32 bytes);
    /// `nil` disables `POST /api/v1/sessions`.
    public var sessionSecret: Secret?
    /// How long a session token lives.
    public var sessionTTL: Duration
    /// Single sign-on: tokens of this OIDC issuer are accepted (`KIMISWARM_OIDC_ISSUER`,
    /// `KIMISWARM_OIDC_AUDIENCE`, `KIMISWARM_OIDC_JWKS_URL`).
    public var oidc: OIDCConfiguration?
    /// The worker id prefix (a replica's name in logs and leases).
    public var workerID: String
    /// How often workers poll the queue when it is empty.
    public var queuePollInterval: Duration
    /// How long an API key lookup is cached.
    public var apiKeyCacheTTL: Duration
    /// The bearer token Prometheus presents to `/metrics` (`KIMISWARM_METRICS_TOKEN`); a super
    /// admin's credential works too. `nil`: only a super admin's.
    public var metricsToken: Secret?
    /// The limits of a run that sets none of its own (`swarm.concurrency` sets its sub-agents
    /// at once).
    public var defaultRunLimits: RunLimits
    /// The safety net under pushed cancels: how often a running run reads its cancel flag
    /// anyway (for a notification lost while the listener reconnects, and on SQLite for a
    /// cancel stored by another process).
    public var cancelCheckInterval: Duration

    public init(
        settings: ServerSettings = ServerSettings(), adminKey: Secret? = nil, sessionSecret: Secret? = nil,
        sessionTTL: Duration = .seconds(12 * 3600),
        workerID: String = "server-\(UUID().uuidString.prefix(8).lowercased())", queuePollInterval: Duration = .milliseconds(250),
        apiKeyCacheTTL: Duration = .seconds(30)
    ) {
        self.settings = settings
        self.adminKey = adminKey
        self.sessionSecret = sessionSecret
        self.sessionTTL = sessionTTL
        self.oidc = nil
        self.workerID = workerID
        self.queuePollInterval = queuePollInterval
        self.apiKeyCacheTTL = apiKeyCacheTTL
        self.adminPassword = nil
        self.passwordCost = 17
        self.metricsToken = nil
        self.defaultRunLimits = RunLimits()
        self.cancelCheckInterval = .seconds(5)
    }

    /// The database location: `database_url` when set, else `<data_dir>/kimiswarm.sqlite`.
    public var databaseURL: String {
        settings.databaseURL ?? (settings.dataDirectory as NSString).appendingPathComponent("kimiswarm.sqlite")
    }
}
