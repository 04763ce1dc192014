import AsyncHTTPClient
import Crypto
import Foundation
public import Hummingbird
import HummingbirdWebSocket
public import KimiSwarmClient
public import KimiSwarmPlatform
public import KimiSwarmCore
public import KimiSwarmEngine
public import KimiSwarmStore
public import Logging
import NIOCore
public import Prometheus
public import ServiceLifecycle

/// What the server is built from; production (`swarm serve`) and tests make the same one.
public struct ServerDependencies: Sendable {
    public var configuration: ServerConfiguration
    public var store: SwarmStore
    public var client: LLMClient
    /// Where `/metrics` reads from (the client's metrics go here too).
    public var registry: PrometheusCollectorRegistry
    /// Templates and ready-made swarms runs may use.
    public var library: TemplateLibrary
    public var logger: Logger
    /// What the server reads the time from (caches, quotas, sessions, key expiry, metrics);
    /// tests pass a manual clock.
    public var clock: any SwarmClock

    public init(
        configuration: ServerConfiguration, store: SwarmStore, client: LLMClient, registry: PrometheusCollectorRegistry,
        library: TemplateLibrary, logger: Logger, clock: any SwarmClock = SystemClock()
    ) {
        self.configuration = configuration
        self.store = store
        self.client = client
        self.registry = registry
        self.library = library
        self.logger = logger
        self.clock = clock
    }
}

/// The parts of a built server that tests and the command line reach into.
public struct ServerParts: Sendable {
    public let routes: RouteTable
    public let hub: RunEventHub
    public let runs: RunService
    public let apiKeys: APIKeyAuthenticator
    public let tenants: TenantStatusCache
    public let memberships: MembershipCache
    public let clients: TenantClients
}

/// Builds the HTTP application with its background services (queue workers, the live-event
/// listener, retention, key-use flushing). Run it with `runService()` (SIGTERM/SIGINT stop it
/// gracefully) or inside a `ServiceGroup`.
public func buildApplication(
    _ dependencies: ServerDependencies, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> (some ApplicationProtocol, ServerParts) {
    let configuration = dependencies.configuration
    let settings = configuration.settings
    let store = dependencies.store
    let logger = dependencies.logger
    let table = RouteTable()
    let hub = RunEventHub()
    let clock = dependencies.clock
    let apiKeys = APIKeyAuthenticator(store: store, ttl: configuration.apiKeyCacheTTL, clock: clock)
    let memberships = MembershipCache(store: store, clock: clock)
    var authenticators: [any Authenticator] = [apiKeys]
    let sessionTokens = configuration.sessionSecret.flatMap { secret in
        try? SessionTokens(secret: SymmetricKey(data: Data(secret.reveal().utf8)), ttl: Double(configuration.sessionTTL.components.seconds),
            now: { clock.date() })
    }
    if let sessionTokens { authenticators.append(SessionAuthenticator(tokens: sessionTokens, memberships: memberships, apiKeys: apiKeys)) }
    if let oidc = configuration.oidc {
        let provider = OIDCKeyProvider(configuration: oidc, httpClient: HTTPClient.shared, logger: logger, now: { clock.date() })
        authenticators.append(OIDCAuthenticator(provider: provider, store: store, memberships: memberships))
    }
    let authenticator = AuthenticatorChain(authenticators)
    let factory = RunEngineFactory(client: dependencies.client, library: dependencies.library, logger: logger, clock: clock)
    let clients = TenantClients(
        base: dependencies.client, store: store, metrics: PrometheusMetricsFactory(registry: dependencies.registry), logger: logger,
        clock: clock)

    let router = Router(context: AppRequestContext.self)
    router.add(middleware: ErrorMiddleware(bodyLimit: settings.maxBodyBytes))
    router.add(middleware: HTTPMetricsMiddleware(registry: dependencies.registry, clock: clock))
    router.add(middleware: CanonicalPathMiddleware())
    let methodNotAllowed = MethodNotAllowedMiddleware.install(on: router)
    // The API's operations, for the dashboard to call in process (no loop-back through the router).
    let operations = APIOperations()
    OperationsRoutes(
        store: store, client: dependencies.client, registry: dependencies.registry, workers: settings.workers, table: table,
        queueGauges: QueueGauges(registry: dependencies.registry), authenticator: authenticator, metricsToken: configuration.metricsToken
    ).register(router, operations: operations)
    OpenAPIRoutes.register(router, table: table)

    let tenants = TenantStatusCache(store: store, clock: clock)
    let quotas = QuotaEnforcer(store: store, clock: clock)
    let usageMetrics = TenantUsageMetrics(registry: dependencies.registry)
    let recorder = UsageRecorder(store: store, logger: logger)
    // One meter for gateway calls and run calls alike.
    let meter = UsageMeter(client: dependencies.client, recorder: recorder, quotas: quotas, metrics: usageMetrics, clock: clock)
    let api = router.group("api/v1").add(middleware: AuthMiddleware(authenticator: authenticator, store: store, tenants: tenants))
        .add(middleware: TenantRateLimitMiddleware(quotas: quotas))
    let routes = APIRoutes(group: api, prefix: "/api/v1", table: table, operations: operations)
    let cancellations = RunCancellations()
    let runs = RunService(
        store: store, factory: factory, hub: hub, cancellations: cancellations,
        admission: RunAdmission(store: store, factory: factory, quotas: quotas), defaultLimits: configuration.defaultRunLimits)
    RunRoutes(service: runs).register(routes)
    SessionRoutes(tokens: sessionTokens, store: store, clock: clock).register(routes)
    AdminRoutes(
        store: store, library: dependencies.library, apiKeys: apiKeys, tenants: tenants, memberships: memberships, clients: clients,
        quotas: quotas, passwords: PasswordHasher(costLog2: configuration.passwordCost), clock: clock
    ).register(routes)

    let gateway = router.group("v1").add(middleware: AuthMiddleware(authenticator: authenticator, store: store, tenants: tenants))
    GatewayRoutes(service: GatewayService(client: dependencies.client, clients: clients, meter: meter, quotas: quotas, clock: clock))
        .register(APIRoutes(group: gateway, prefix: "/v1", table: table))

    // The dashboard (HTML at `/`) calls the API's operations above, in process; a page view
    // counts as one request against the tenant's rate limit.
    DashboardRoutes(
        store: store, library: dependencies.library, api: DashboardAPI(operations: operations), apiKeys: apiKeys, memberships: memberships,
        tenants: tenants, quotas: quotas, policy: WebSessionPolicy(passwordCost: configuration.passwordCost, clock: clock)
    ).register(router)
    methodNotAllowed.load(router.routes)
    let responder = router.buildResponder()

    var services: [any Service] = [
        recorder,
        RunEventListener(store: store, hub: hub, cancellations: cancellations, logger: logger),
        PeriodicService(interval: .seconds(10), logger: logger) { await apiKeys.flushLastUsed() },
        RetentionService(store: store, logger: logger),
    ]
    // Runs reserve and count in the same tenants' quotas as gateway calls.
    services += workerServices(
        dependencies, factory: factory, hub: hub, cancellations: cancellations, clients: clients, metrics: usageMetrics, quotas: quotas,
        meter: meter)
    let application = Application(
        responder: responder,
        server: .guardedHTTP1WebSocketUpgrade(
            webSocketRouter: RunWebSocketRoutes(store: store, hub: hub, authenticator: authenticator, tenants: tenants).router(),
            configuration: .init(http1: .init(idleTimeout: TimeAmount(settings.idleTimeout))), limits: HTTPConnectionLimits(settings)),
        configuration: ApplicationConfiguration(address: .hostname(settings.host, port: settings.port), serverName: "kimiswarm"),
        services: services,
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? settings.port) },
        logger: logger)
    return (application, ServerParts(routes: table, hub: hub, runs: runs, apiKeys: apiKeys, tenants: tenants, memberships: memberships, clients: clients))
}

/// The services of `swarm worker`: queue workers that execute runs (no HTTP server), and the
/// listener that brings them cancels stored by other replicas.
public func buildWorkerServices(_ dependencies: ServerDependencies) -> [any Service] {
    let clock = dependencies.clock
    let factory = RunEngineFactory(client: dependencies.client, library: dependencies.library, logger: dependencies.logger, clock: clock)
    let clients = TenantClients(
        base: dependencies.client, store: dependencies.store, metrics: PrometheusMetricsFactory(registry: dependencies.registry),
        logger: dependencies.logger, clock: clock)
    let metrics = TenantUsageMetrics(registry: dependencies.registry)
    let quotas = QuotaEnforcer(store: dependencies.store, clock: clock)
    // The recorder comes first: services stop in reverse order, so it writes what the workers
    // recorded last.
    let recorder = UsageRecorder(store: dependencies.store, logger: dependencies.logger)
    let meter = UsageMeter(client: dependencies.client, recorder: recorder, quotas: quotas, metrics: metrics, clock: clock)
    let hub = RunEventHub()
    let cancellations = RunCancellations()
    let workers = workerServices(
        dependencies, factory: factory, hub: hub, cancellations: cancellations, clients: clients, metrics: metrics, quotas: quotas,
        meter: meter)
    guard !workers.isEmpty else { return [] }
    return [recorder, RunEventListener(store: dependencies.store, hub: hub, cancellations: cancellations, logger: dependencies.logger)]
        + workers
}

/// The queue workers of a process. Every run's model calls reserve in `quotas` (this
/// process's view of the tenants' budgets) and are recorded by `meter` (which counts them there).
func workerServices(
    _ dependencies: ServerDependencies, factory: RunEngineFactory, hub: RunEventHub, cancellations: RunCancellations,
    clients: TenantClients, metrics: TenantUsageMetrics, quotas: QuotaEnforcer, meter: UsageMeter
) -> [any Service] {
    let configuration = dependencies.configuration
    guard configuration.settings.workers > 0 else { return [] }
    let executor = RunExecutor(
        store: dependencies.store, factory: factory, hub: hub, clients: clients, metrics: metrics, quotas: quotas,
        cancellations: cancellations, cancelCheckInterval: configuration.cancelCheckInterval, logger: dependencies.logger,
        meter: meter)
    return [
        QueueWorker(
            queue: dependencies.store.jobs,
            configuration: .init(
                queue: RunJobPayload.queue, workerID: configuration.workerID, pollInterval: configuration.queuePollInterval,
                concurrency: configuration.settings.workers),
            logger: dependencies.logger, deadLettered: executor.deadLettered, handler: executor.handle)
    ]
}
