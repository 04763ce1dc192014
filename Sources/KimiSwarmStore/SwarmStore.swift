import Foundation
import KimiSwarmCore
public import Logging
public import ServiceLifecycle

/// Where the store keeps its data.
public enum StoreLocation: Sendable, Hashable {
    /// An embedded SQLite file (WAL mode), created with its folder when missing.
    case sqlite(path: String)
    /// A PostgreSQL 14+ server, `postgres://user:password@host:port/database[?sslmode=disable]`.
    case postgres(url: String)

    /// The default: `./.kimiswarm/kimiswarm.sqlite`.
    public static let defaultSQLite = StoreLocation.sqlite(path: ".kimiswarm/kimiswarm.sqlite")

    /// `postgres://...` URLs select PostgreSQL; anything else is a SQLite path.
    public init(databaseURL: String) {
        if databaseURL.hasPrefix("postgres://") || databaseURL.hasPrefix("postgresql://") {
            self = .postgres(url: databaseURL)
        } else if databaseURL.hasPrefix("sqlite://") {
            self = .sqlite(path: String(databaseURL.dropFirst("sqlite://".count)))
        } else {
            self = .sqlite(path: databaseURL)
        }
    }
}

/// Configuration of the store; every value has a default.
public struct StoreConfiguration: Sendable {
    /// Where the data lives.
    public var location: StoreLocation
    /// Master keys for provider credentials; `nil` disables credential storage.
    public var masterKeys: MasterKeyring?
    /// The clock for timestamps and leases.
    public var clock: StoreClock
    /// Run migrations when opening (replicas may all do it; they take turns).
    public var migrate: Bool
    /// PostgreSQL pool size.
    public var maximumConnections: Int

    public init(
        location: StoreLocation = .defaultSQLite, masterKeys: MasterKeyring? = nil, clock: StoreClock = .system,
        migrate: Bool = true, maximumConnections: Int = 10
    ) {
        self.location = location
        self.masterKeys = masterKeys
        self.clock = clock
        self.migrate = migrate
        self.maximumConnections = maximumConnections
    }
}

/// KimiSwarm's persistence: tenants, users, keys, credentials, templates, runs, the run
/// journal, events, the usage ledger and rollups, the L2 cache, plans and quotas, and jobs,
/// on SQLite or PostgreSQL through one code path.
///
/// Every repository method on tenant data takes the tenant id; the few that do not are the
/// super-admin and system operations listed in `StoreTenantSafetyTests`.
public final class SwarmStore: Sendable {
    /// The database.
    public let database: any SQLDatabase
    let context: RepositoryContext

    /// Tenants and users (super-admin).
    public let directory: TenantDirectory
    /// Memberships and roles.
    public let members: MemberRepository
    /// API keys.
    public let apiKeys: APIKeyRepository
    /// Encrypted provider credentials.
    public let credentials: CredentialRepository
    /// Agent templates.
    public let templates: TemplateRepository
    /// Runs.
    public let runs: RunRepository
    /// Run events.
    public let events: RunEventRepository
    /// Usage ledger and rollups.
    public let usage: UsageRepository
    /// L2 response cache.
    public let responseCache: ResponseCacheRepository
    /// Plans and quotas.
    public let quotas: QuotaRepository
    /// The durable job queue.
    public let jobs: JobQueue
    /// The dashboard's sign-in sessions.
    public let webSessions: WebSessionRepository
    /// Invitations to join a tenant.
    public let invitations: InvitationRepository

    /// A store over an open database (already migrated, or call ``migrate()``).
    public init(database: any SQLDatabase, masterKeys: MasterKeyring? = nil, clock: StoreClock = .system, logger: Logger) {
        self.database = database
        let context = RepositoryContext(database: database, clock: clock, logger: logger)
        self.context = context
        directory = TenantDirectory(context: context)
        members = MemberRepository(context: context)
        apiKeys = APIKeyRepository(context: context)
        credentials = CredentialRepository(context: context, keyring: masterKeys)
        templates = TemplateRepository(context: context)
        runs = RunRepository(context: context)
        events = RunEventRepository(context: context)
        usage = UsageRepository(context: context)
        responseCache = ResponseCacheRepository(context: context)
        quotas = QuotaRepository(context: context)
        jobs = JobQueue(context: context)
        webSessions = WebSessionRepository(context: context)
        invitations = InvitationRepository(context: context)
    }

    /// The engine's journal for one tenant's runs.
    public func journal(tenantID: String) -> StoreRunJournal {
        StoreRunJournal(tenantID: tenantID, context: context)
    }

    /// Calls `onNotice` for every ``RunEventNotice`` any replica sends (new run events, and
    /// run status changes with seq 0) until the calling task is cancelled, then returns.
    ///
    /// On PostgreSQL it holds one pooled connection that `LISTEN`s on
    /// ``RunEventNotice/channel``; when that connection fails it logs, waits a second and
    /// listens again (notices sent in between are lost, so re-read what you show after a
    /// reconnect, or poll as a fallback). On SQLite, where every writer is in this process
    /// or polls the file, nothing is ever noticed and it just waits for the cancellation.
    /// Notices of every tenant arrive: filter by ``RunEventNotice/tenantID``.
    public func listenForRunEvents(_ onNotice: @escaping @Sendable (RunEventNotice) -> Void) async throws {
        guard let postgres = database as? PostgreSQLDatabase else {
            while !Task.isCancelled {
                do { try await Task.sleep(for: .seconds(1_000_000)) } catch is CancellationError { return }
            }
            return
        }
        let logger = context.logger
        while !Task.isCancelled {
            do {
                try await postgres.listen(channel: RunEventNotice.channel) { payload in
                    if let notice = RunEventNotice(payload: payload) { onNotice(notice) }
                }
                if Task.isCancelled { return }
                logger.warning("the run event listener stopped; listening again")
            } catch {
                if Task.isCancelled { return }
                logger.warning("the run event listener failed; listening again in 1 s", metadata: ["error": "\(error)"])
            }
            do { try await Task.sleep(for: .seconds(1)) } catch is CancellationError { return }
        }
    }

    /// The dialect in use.
    public var dialect: SQLDialect { database.dialect }

    /// Runs pending migrations.
    @discardableResult
    public func migrate() async throws -> [Int] {
        try await Migrator(database: database, logger: context.logger).migrate()
    }

    /// The driver for a location. A PostgreSQL database's `client` must be run (it is a
    /// `Service`); ``withStore(_:logger:_:)`` does that for you.
    public static func openDatabase(_ configuration: StoreConfiguration, logger: Logger) async throws -> any SQLDatabase {
        switch configuration.location {
        case .sqlite(let path):
            return try await SQLiteDatabase.open(path: path, logger: logger)
        case .postgres(let url):
            return try PostgreSQLDatabase(url: url, maximumConnections: configuration.maximumConnections, logger: logger)
        }
    }

    /// The long-running services the store needs (PostgreSQL's connection pool), to add to
    /// the application's `ServiceGroup`.
    public var services: [any Service] {
        if let postgres = database as? PostgreSQLDatabase { return [postgres.client] }
        return []
    }

    /// Opens the store, runs its services and migrations, runs `body`, and closes it all.
    public static func withStore<T: Sendable>(
        _ configuration: StoreConfiguration, logger: Logger, _ body: @Sendable (SwarmStore) async throws -> T
    ) async throws -> T {
        let database = try await openDatabase(configuration, logger: logger)
        let store = SwarmStore(database: database, masterKeys: configuration.masterKeys, clock: configuration.clock, logger: logger)
        let services = store.services
        do {
            let result = try await withThrowingTaskGroup(of: Void.self) { group in
                for service in services {
                    group.addTask { try await service.run() }
                }
                defer { group.cancelAll() }
                if configuration.migrate { try await store.migrate() }
                return try await body(store)
            }
            try await database.close()
            return result
        } catch {
            try? await database.close()
            throw error
        }
    }
}
