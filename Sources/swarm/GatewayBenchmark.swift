import AsyncHTTPClient
import Foundation
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmEngine
import KimiSwarmServer
import KimiSwarmStore
import KimiSwarmTesting
import Logging
import NIOCore
import NIOHTTP1
import Prometheus
import ServiceLifecycle
import Synchronization

/// What the gateway adds to a call: the same load sent to a loopback upstream directly and
/// through a gateway server (SQLite in a temporary folder, a tenant without limits) in front
/// of it, at 1 and at 64 concurrent clients, plain and streaming.
struct GatewayBenchmark {
    let duration: Duration
    let clientCounts: [Int]

    /// One measured phase.
    struct Phase: Encodable {
        var target: String
        var mode: String
        var clients: Int
        var requests: Int
        var errors: Int
        var p50Milliseconds: Double
        var p99Milliseconds: Double
        var requestsPerSecond: Double
    }

    /// The gateway's latency minus the direct latency, at the same load.
    struct Overhead: Encodable {
        var mode: String
        var clients: Int
        var addedP50Milliseconds: Double
        var addedP99Milliseconds: Double
    }

    struct Report: Encodable {
        var durationSeconds: Double
        var phases: [Phase]
        var overhead: [Overhead]
    }

    func run() async throws -> Report {
        let logger = Logger(label: "kimiswarm.bench.gateway", factory: { _ in SwiftLogNoOpLogHandler() })
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kimiswarm-bench-gateway-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let providerClient = SharedHTTPClient.makeClient()
        var poolConfiguration = HTTPClient.Configuration()
        poolConfiguration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        let loadClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: poolConfiguration)
        do {
            let report = try await LoopbackProviderServer.withServer { upstream in
                try await SwarmStore.withStore(
                    StoreConfiguration(location: .sqlite(path: folder.appendingPathComponent("bench.sqlite").path)), logger: logger
                ) { store in
                    try await measure(upstream: upstream, store: store, providerClient: providerClient, loadClient: loadClient, logger: logger)
                }
            }
            try? await loadClient.shutdown()
            try? await providerClient.shutdown()
            return report
        } catch {
            try? await loadClient.shutdown()
            try? await providerClient.shutdown()
            throw error
        }
    }

    private func measure(
        upstream: LoopbackProviderServer, store: SwarmStore, providerClient: HTTPClient, loadClient: HTTPClient, logger: Logger
    ) async throws -> Report {
        let configuration = KimiSwarmConfiguration.loopback(
            baseURL: upstream.baseURL + "/v1", apiKey: "sk-bench", maxRequests: 10_000_000, maxConcurrent: 1000, requestTimeout: .seconds(120))
        let registry = PrometheusCollectorRegistry()
        let client = LLMClient(
            configuration: configuration, registry: DefaultModelRegistry.load(), logger: logger, httpClient: providerClient,
            metrics: PrometheusMetricsFactory(registry: registry))
        let tenant = try await store.directory.createTenant(name: "bench")
        let key = try await store.apiKeys.createKey(tenantID: tenant.id, name: "bench", role: .developer).plaintext
        let dependencies = ServerDependencies(
            configuration: ServerConfiguration(settings: ServerSettings(host: "127.0.0.1", port: 0, workers: 0)), store: store,
            client: client, registry: registry, library: try TemplateLibrary.builtIn(), logger: logger)
        let (started, continuation) = AsyncStream.makeStream(of: Int.self)
        let (application, _) = buildApplication(dependencies) { port in continuation.yield(port) }
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        return try await withThrowingTaskGroup(of: Report?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            var iterator = started.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            let gateway = "http://127.0.0.1:\(port)/v1/chat/completions"
            let direct = upstream.baseURL + "/v1/chat/completions"
            var phases: [Phase] = []
            var overhead: [Overhead] = []
            for stream in [false, true] {
                let mode = stream ? "stream" : "plain"
                let body = stream
                    ? #"{"model":"kimi-k2.6","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Say something short about benchmarks."}]}"#
                    : #"{"model":"kimi-k2.6","messages":[{"role":"user","content":"Say something short about benchmarks."}]}"#
                for clients in clientCounts {
                    // A short warm-up opens the connections of both targets.
                    _ = try await phase(loadClient, url: direct, key: nil, body: body, clients: clients, for: .milliseconds(300))
                    _ = try await phase(loadClient, url: gateway, key: key, body: body, clients: clients, for: .milliseconds(300))
                    var directPhase = try await phase(loadClient, url: direct, key: nil, body: body, clients: clients, for: duration)
                    var gatewayPhase = try await phase(loadClient, url: gateway, key: key, body: body, clients: clients, for: duration)
                    directPhase.target = "direct"
                    directPhase.mode = mode
                    gatewayPhase.target = "gateway"
                    gatewayPhase.mode = mode
                    phases += [directPhase, gatewayPhase]
                    overhead.append(
                        Overhead(
                            mode: mode, clients: clients, addedP50Milliseconds: gatewayPhase.p50Milliseconds - directPhase.p50Milliseconds,
                            addedP99Milliseconds: gatewayPhase.p99Milliseconds - directPhase.p99Milliseconds))
                }
            }
            await group.triggerGracefulShutdown()
            tasks.cancelAll()
            return Report(durationSeconds: duration.secondsValue, phases: phases, overhead: overhead)
        }
    }

    /// `clients` loops sending the request back to back for `length`; every body read whole.
    private func phase(_ http: HTTPClient, url: String, key: String?, body: String, clients: Int, for length: Duration) async throws -> Phase {
        let deadline = ContinuousClock.now + length
        let begin = ContinuousClock.now
        let results = await withTaskGroup(of: ([Double], Int).self) { group in
            for _ in 0..<clients {
                group.addTask {
                    var latencies: [Double] = []
                    var errors = 0
                    while ContinuousClock.now < deadline {
                        var request = HTTPClientRequest(url: url)
                        request.method = .POST
                        request.headers.add(name: "Content-Type", value: "application/json")
                        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
                        request.body = .bytes(ByteBuffer(string: body))
                        let start = ContinuousClock.now
                        do {
                            let response = try await http.execute(request, timeout: .seconds(30))
                            _ = try await response.body.collect(upTo: 1 << 20)
                            if response.status == .ok { latencies.append((ContinuousClock.now - start).secondsValue * 1000) } else { errors += 1 }
                        } catch {
                            errors += 1
                        }
                    }
                    return (latencies, errors)
                }
            }
            var all: [Double] = []
            var errors = 0
            for await (latencies, failed) in group {
                all += latencies
                errors += failed
            }
            return (all.sorted(), errors)
        }
        let elapsed = (ContinuousClock.now - begin).secondsValue
        let sorted = results.0
        func percentile(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))]
        }
        return Phase(
            target: "", mode: "", clients: clients, requests: sorted.count, errors: results.1, p50Milliseconds: percentile(0.5),
            p99Milliseconds: percentile(0.99), requestsPerSecond: Double(sorted.count) / max(elapsed, 0.001))
    }
}
