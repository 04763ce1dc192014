import AsyncHTTPClient
import Foundation
import Hummingbird
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmEngine
@testable import KimiSwarmPlatform
import KimiSwarmServer
import KimiSwarmStore
import KimiSwarmTesting
import Logging
import NIOCore
import NIOHTTP1
import Prometheus
import ServiceLifecycle
import Synchronization
import Testing

/// The databases server tests run against: SQLite always, PostgreSQL when
/// `KIMISWARM_TEST_DATABASE_URL` is set (scripts/test sets it).
enum TestDatabase: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    static var postgresURL: String? {
        guard let url = ProcessInfo.processInfo.environment["KIMISWARM_TEST_DATABASE_URL"], !url.isEmpty else { return nil }
        return url
    }

    static var available: [TestDatabase] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    var testDescription: String { rawValue }
}

let serverTestLogger: Logger = {
    var logger = Logger(label: "kimiswarm.server-tests", factory: { _ in SwiftLogNoOpLogHandler() })
    logger.logLevel = .critical
    return logger
}()

/// The tests' own HTTP client (provider calls of the server under test use another pool).
let testHTTPClient = HTTPClient(
    eventLoopGroupProvider: .singleton,
    configuration: .init(
        timeout: .init(connect: .seconds(5), read: .seconds(60)),
        // Tests send up to a few dozen requests at once to one server: none waits for a connection.
        connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)))
let providerHTTPClient = SharedHTTPClient.makeClient()

/// A fresh empty database: a temporary SQLite file or a new PostgreSQL database (dropped after).
func withFreshLocation<T: Sendable>(_ kind: TestDatabase, _ body: (StoreLocation) async throws -> T) async throws -> T {
    switch kind {
    case .sqlite:
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kimiswarm-server-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try await body(.sqlite(path: folder.appendingPathComponent("store.sqlite").path))
    case .postgres:
        let adminURL = try #require(TestDatabase.postgresURL)
        let name = "ks_srv_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased())"
        try await adminQuery(adminURL, "CREATE DATABASE \(name)")
        var components = try #require(URLComponents(string: adminURL))
        components.path = "/\(name)"
        let url = try #require(components.string)
        do {
            let result = try await body(.postgres(url: url))
            try await adminQuery(adminURL, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            return result
        } catch {
            try? await adminQuery(adminURL, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            throw error
        }
    }
}

private func adminQuery(_ url: String, _ sql: String) async throws {
    _ = try await SwarmStore.withStore(StoreConfiguration(location: .postgres(url: url), migrate: false, maximumConnections: 1), logger: serverTestLogger) { store in
        _ = try await store.database.query("\(raw: sql)")
    }
}

/// A production client pointed at a loopback provider; with `cache`, a response cache whose
/// persistent tier is the server's database (as `swarm serve` has) and whose memory tier is its own.
func loopbackClient(_ provider: LoopbackProviderServer, registry: PrometheusCollectorRegistry, cache store: SwarmStore? = nil) -> LLMClient {
    let configuration = KimiSwarmConfiguration.loopback(baseURL: provider.baseURL + "/v1", apiKey: "sk-test-server")
    let metrics = PrometheusMetricsFactory(registry: registry)
    return LLMClient(
        configuration: configuration, registry: DefaultModelRegistry.load(), logger: serverTestLogger, httpClient: providerHTTPClient,
        cache: store.map { ResponseCache(store: DatabaseResponseCache(store: $0), metricsFactory: metrics) }, metrics: metrics)
}

/// An HTTP answer, read whole.
struct TestResponse: Sendable {
    var status: Int
    var headers: [String: String]
    var body: String

    var json: JSONValue? { try? JSONValue(parsing: body) }
    /// `error.type` of an error body.
    var errorType: String? { json?["error"]?["type"]?.stringValue }
    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// A running server on a loopback port with a fresh database and a loopback provider.
struct TestServer: Sendable {
    let baseURL: String
    let port: Int
    let adminKey: String
    let store: SwarmStore
    let provider: LoopbackProviderServer
    let parts: ServerParts

    /// Sends a request; `body` is sent as JSON text.
    func request(
        _ method: HTTPMethod, _ path: String, key: String? = nil, body: String? = nil, headers: [String: String] = [:]
    ) async throws -> TestResponse {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        let response = try await testHTTPClient.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        var fields: [String: String] = [:]
        for header in response.headers { fields[header.name.lowercased()] = header.value }
        return TestResponse(status: Int(response.status.code), headers: fields, body: String(buffer: bytes))
    }

    /// A new tenant with a key of `role` in it.
    func tenant(_ name: String = "t-\(UUID().uuidString.prefix(6))", role: Role = .tenantAdmin, plan: String? = nil) async throws -> (tenantID: String, key: String) {
        let tenant = try await store.directory.createTenant(name: name, planID: plan)
        let created = try await store.apiKeys.createKey(tenantID: tenant.id, name: "test", role: role)
        return (tenant.id, created.plaintext)
    }

    /// Another key in `tenantID`.
    func key(in tenantID: String, role: Role) async throws -> String {
        try await store.apiKeys.createKey(tenantID: tenantID, name: "\(role.rawValue) key", role: role).plaintext
    }

    /// Polls a run until it reaches one of `statuses`.
    func waitForRun(_ id: String, key: String, statuses: Set<String> = ["succeeded", "failed", "cancelled"], timeout: Duration = .seconds(60)) async throws -> JSONValue {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let response = try await request(.GET, "/api/v1/runs/\(id)", key: key)
            if let status = response.json?["status"]?.stringValue, statuses.contains(status), let json = response.json { return json }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("run \(id) did not reach \(statuses) in time")
        throw CancellationError()
    }
}

/// Starts a server on a fresh database (port 0), runs `body`, and stops it all.
func withTestServer<T: Sendable>(
    _ database: TestDatabase, workers: Int = 2, script: SwarmScript? = nil, masterKeys: MasterKeyring? = nil, cached: Bool = false,
    configure: @escaping @Sendable (inout ServerConfiguration) -> Void = { _ in },
    _ body: @escaping @Sendable (TestServer) async throws -> T
) async throws -> T {
    try await LoopbackProviderServer.withServer { provider in
        if let script { provider.setResponder(script.respond) }
        return try await withFreshLocation(database) { location in
            try await withTestServer(
                at: location, provider: provider, workers: workers, masterKeys: masterKeys, cached: cached, configure: configure, body)
        }
    }
}

/// Starts a server (a replica) on an existing database with the given provider.
func withTestServer<T: Sendable>(
    at location: StoreLocation, provider: LoopbackProviderServer, workers: Int = 2, adminKey: String? = nil,
    masterKeys: MasterKeyring? = nil, cached: Bool = false, configure: @escaping @Sendable (inout ServerConfiguration) -> Void = { _ in },
    _ body: @escaping @Sendable (TestServer) async throws -> T
) async throws -> T {
    try await SwarmStore.withStore(StoreConfiguration(location: location, masterKeys: masterKeys), logger: serverTestLogger) { store in
        let adminKey = adminKey ?? "ks_" + UUID().uuidString.replacingOccurrences(of: "-", with: "") + "admin"
        var configuration = ServerConfiguration(
            settings: ServerSettings(host: "127.0.0.1", port: 0, workers: workers), adminKey: Secret(adminKey),
            queuePollInterval: .milliseconds(50))
        // scrypt at its cheapest (the production cost takes seconds in a debug build).
        configuration.passwordCost = 10
        configure(&configuration)
        _ = try await FirstStart.ensure(
            store: store, adminKey: configuration.adminKey, adminPassword: configuration.adminPassword,
            passwordCost: configuration.passwordCost, logger: serverTestLogger)
        let registry = PrometheusCollectorRegistry()
        let dependencies = ServerDependencies(
            configuration: configuration, store: store, client: loopbackClient(provider, registry: registry, cache: cached ? store : nil), registry: registry,
            library: try TemplateLibrary.builtIn(), logger: serverTestLogger)
        let (started, continuation) = AsyncStream.makeStream(of: Int.self)
        let (application, parts) = buildApplication(dependencies) { port in continuation.yield(port) }
        let group = ServiceGroup(configuration: .init(services: [application], logger: serverTestLogger))
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            var iterator = started.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            let server = TestServer(
                baseURL: "http://127.0.0.1:\(port)", port: port, adminKey: adminKey, store: store, provider: provider, parts: parts)
            do {
                let result = try await body(server)
                await group.triggerGracefulShutdown()
                tasks.cancelAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                tasks.cancelAll()
                throw error
            }
        }
    }
}
