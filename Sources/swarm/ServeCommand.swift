import ArgumentParser
import Foundation
import Hummingbird
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmEngine
import KimiSwarmPlatform
import KimiSwarmServer
import KimiSwarmStore
import Logging
import Prometheus
import ServiceLifecycle
import UnixSignals

/// Options `swarm serve` and `swarm worker` share: where the data is and how many workers.
struct ServerOptions: ParsableArguments {
    @Option(name: .long, help: "Folder of the embedded database (default ./.kimiswarm; server.data_dir). Everything the server keeps, its response cache included, is in its database.")
    var dataDir: String?

    @Option(name: .long, help: "postgres://user:password@host:5432/db for PostgreSQL, or a SQLite file (default <data-dir>/kimiswarm.sqlite; KIMISWARM_DATABASE_URL).")
    var databaseURL: String?

    @Option(name: .long, help: "Runs executed at once by this process (default 4; 0 for none; server.workers).")
    var workers: Int?

    /// The server configuration: flags, then `KIMISWARM_*` variables, then the `server:`
    /// section of the config file and `KIMI_SERVER__*`, then defaults.
    func configuration(_ context: CommandContext, host: String?, port: Int?, kind: String = "serve") throws -> ServerConfiguration {
        let environment = ProcessInfo.processInfo.environment
        var settings = context.configuration.server
        if let value = environment["KIMISWARM_DATABASE_URL"], !value.isEmpty { settings.databaseURL = value }
        if let dataDir { settings.dataDirectory = dataDir }
        if let databaseURL { settings.databaseURL = databaseURL }
        if let host { settings.host = host }
        if let port {
            guard (0...65535).contains(port) else { throw KimiSwarmError.configuration("--port \(port) is not a port", hint: "Use 0 to 65535.") }
            settings.port = port
        }
        if let workers {
            guard (0...256).contains(workers) else { throw KimiSwarmError.configuration("--workers \(workers) is out of range", hint: "Use 0 to 256.") }
            settings.workers = workers
        }
        var configuration = ServerConfiguration(settings: settings)
        // Runs that do not set their own concurrency get `swarm.concurrency`.
        configuration.defaultRunLimits.concurrency = context.configuration.swarm.concurrency
        configuration.workerID = try ReplicaIdentity.workerID(kind: kind, dataDirectory: settings.dataDirectory, environment: environment)
        if let key = environment["KIMISWARM_ADMIN_KEY"], !key.isEmpty {
            try FirstStart.validate(adminKey: key)
            configuration.adminKey = Secret(key)
        }
        if let password = environment["KIMISWARM_ADMIN_PASSWORD"], !password.isEmpty {
            try FirstStart.validate(adminPassword: password)
            configuration.adminPassword = Secret(password)
        }
        if let token = environment["KIMISWARM_METRICS_TOKEN"], !token.isEmpty {
            guard token.utf8.count >= 24, token.utf8.count <= 512 else {
                throw KimiSwarmError.configuration(
                    "KIMISWARM_METRICS_TOKEN must be 24 to 512 characters", hint: "Use: openssl rand -base64 32")
            }
            configuration.metricsToken = Secret(token)
        }
        if let secret = environment["KIMISWARM_JWT_SECRET"], !secret.isEmpty {
            guard secret.utf8.count >= 32 else {
                throw KimiSwarmError.configuration("KIMISWARM_JWT_SECRET is shorter than 32 bytes", hint: "Use: openssl rand -base64 48")
            }
            configuration.sessionSecret = Secret(secret)
        }
        if let issuer = environment["KIMISWARM_OIDC_ISSUER"], !issuer.isEmpty {
            guard let jwks = environment["KIMISWARM_OIDC_JWKS_URL"].flatMap(URL.init(string:)) else {
                throw KimiSwarmError.configuration(
                    "KIMISWARM_OIDC_ISSUER is set but KIMISWARM_OIDC_JWKS_URL is missing or not a URL",
                    hint: "Set it to the issuer's jwks_uri (see <issuer>/.well-known/openid-configuration).")
            }
            do {
                configuration.oidc = try OIDCConfiguration(
                    issuer: issuer, audience: environment["KIMISWARM_OIDC_AUDIENCE"].flatMap { $0.isEmpty ? nil : $0 }, jwksURL: jwks)
            } catch {
                throw KimiSwarmError.configuration("KIMISWARM_OIDC_JWKS_URL must be an http(s) URL with a host", hint: "Fix the URL.")
            }
        }
        return configuration
    }

    func storeConfiguration(_ configuration: ServerConfiguration) throws -> StoreConfiguration {
        let location = StoreLocation(databaseURL: configuration.databaseURL)
        if case .sqlite(let path) = location {
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty {
                do {
                    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                } catch {
                    throw KimiSwarmError.configuration("cannot create the data folder '\(folder)'", hint: "Check --data-dir and its permissions.")
                }
            }
        }
        let keyring: MasterKeyring?
        do {
            keyring = try MasterKeyring.fromEnvironment(ProcessInfo.processInfo.environment)
        } catch {
            throw KimiSwarmError.configuration(
                "KIMISWARM_MASTER_KEY is not valid: \(error)", hint: "Generate one with `openssl rand -base64 32`.")
        }
        return StoreConfiguration(location: location, masterKeys: keyring)
    }

    /// Opens the store and the client and runs `body` with the dependencies.
    func withDependencies(
        _ global: GlobalOptions, host: String?, port: Int?, kind: String = "serve",
        _ body: @escaping @Sendable (ServerDependencies) async throws -> Void
    ) async throws {
        let registry = PrometheusCollectorRegistry()
        // The server's response cache keeps its persistent tier in the server's own database
        // (never a file under the current folder): the client is made once the store is open.
        let context = try await CommandContext.load(global, defaultLogLevel: .info)
        let configuration = try self.configuration(context, host: host, port: port, kind: kind)
        let library = try SwarmSetup.library(folder: context.configuration.swarm.templatesDirectory)
        let storeConfiguration = try storeConfiguration(configuration)
        let logger = context.logger
        try await SwarmStore.withStore(storeConfiguration, logger: logger) { store in
            let client = LLMClient.make(
                configuration: context.configuration, registry: context.registry, logger: logger,
                persistentStore: DatabaseResponseCache(store: store), metrics: PrometheusMetricsFactory(registry: registry))
            try await body(
                ServerDependencies(
                    configuration: configuration, store: store, client: client, registry: registry, library: library, logger: logger))
        }
    }
}

/// `swarm serve`: the platform server.
struct ServeCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the platform server: REST API, live events, OpenAI-compatible gateway, workers.",
        discussion: """
            With no flags it uses the embedded SQLite store in ./.kimiswarm and runs workers in
            process. The first start creates a default tenant and a super admin and prints an admin
            API key once (or stores KIMISWARM_ADMIN_KEY). SIGTERM or Ctrl-C stop it gracefully:
            it stops accepting, and running jobs are released for another worker to resume;
            what is still in flight after server.shutdown_timeout (30 s) is cancelled.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var server: ServerOptions

    @Option(name: .long, help: "Address to listen on (default 127.0.0.1; server.host).")
    var host: String?

    @Option(name: .long, help: "Port (default 8080; 0 picks a free one; server.port).")
    var port: Int?

    func execute() async throws {
        try await server.withDependencies(global, host: host, port: port) { dependencies in
            let outcome = try await FirstStart.ensure(
                store: dependencies.store, adminKey: dependencies.configuration.adminKey,
                adminPassword: dependencies.configuration.adminPassword, passwordCost: dependencies.configuration.passwordCost,
                logger: dependencies.logger)
            if let key = outcome.createdKey {
                say(
                    """
                    First start: created the tenant `\(FirstStart.defaultTenantID)` and its super admin (\(FirstStart.adminEmail)).
                    Admin API key (shown once; keep it safe): \(key)
                    """)
            }
            let host = dependencies.configuration.settings.host
            let (application, _) = buildApplication(dependencies) { port in
                say("KimiSwarm listening on http://\(host):\(port) (database: \(dependencies.store.dialect.rawValue)); dashboard at http://\(host):\(port)/")
            }
            try await GracefulShutdown.run([application], timeout: dependencies.configuration.settings.shutdownTimeout, logger: dependencies.logger)
        }
    }
}

/// `swarm worker`: executes queued runs, without an HTTP server (for many replicas).
struct WorkerCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run queue workers only: they claim runs from the shared database and execute them.",
        discussion: """
            Point every replica at the same PostgreSQL with --database-url. SIGTERM stops gracefully;
            runs still going after server.shutdown_timeout (30 s) are cancelled and released.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var server: ServerOptions

    func execute() async throws {
        try await server.withDependencies(global, host: nil, port: nil, kind: "worker") { dependencies in
            let services = buildWorkerServices(dependencies)
            guard !services.isEmpty else {
                throw KimiSwarmError.configuration("--workers 0 leaves a worker with nothing to do", hint: "Give at least 1.")
            }
            say("KimiSwarm worker running \(dependencies.configuration.settings.workers) run slot(s) on \(dependencies.store.dialect.rawValue)")
            try await GracefulShutdown.run(services, timeout: dependencies.configuration.settings.shutdownTimeout, logger: dependencies.logger)
        }
    }
}

/// A line on standard output, written at once (not buffered), so that scripts and tests that
/// wait for it see it.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
