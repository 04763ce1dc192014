public import AsyncHTTPClient
import NIOCore
import Synchronization

/// The process's connection pools: one `HTTPClient` per distinct connect timeout, created on
/// first use and kept for the life of the process.
///
/// Unlike `HTTPClient.shared`, these have no channel read timeout (KimiSwarm applies its own
/// request, first-byte and stream-idle timeouts, so a long non-streaming completion is not cut
/// at 90 s), never follow redirects (so an API key is never replayed to another host), and do
/// not retry a failed connection attempt: AsyncHTTPClient would otherwise try again with backoff
/// until the connect timeout, so a provider whose port is closed cost the whole
/// `connect_timeout` (10 s and more) per call. A refused connection fails the call at once
/// instead, as a `network` error that the circuit breaker counts, the retry layer retries
/// within its budget, and the router falls back on.
public enum SharedHTTPClient {
    private static let clients = Mutex<[Int64: HTTPClient]>([:])

    /// HTTP/1.1 connections kept per host. A swarm runs many calls to one provider at once;
    /// AsyncHTTPClient's default of 8 would queue them behind each other. The client's
    /// bulkhead (`max_concurrent` per provider) is what bounds concurrency.
    public static let maxConnectionsPerHost = 512

    /// The pool for providers that connect within `connectTimeout`.
    public static func client(connectTimeout: Duration = .seconds(10)) -> HTTPClient {
        let milliseconds = max(1, connectTimeout.components.seconds * 1000 + connectTimeout.components.attoseconds / 1_000_000_000_000_000)
        return clients.withLock { clients in
            if let client = clients[milliseconds] { return client }
            let client = makeClient(connectTimeout: .milliseconds(milliseconds))
            clients[milliseconds] = client
            return client
        }
    }

    /// A new client configured like the shared ones, for callers that want a pool of their
    /// own (a benchmark, a test suite); the caller shuts it down.
    public static func makeClient(connectTimeout: Duration = .seconds(10)) -> HTTPClient {
        let milliseconds = max(1, connectTimeout.components.seconds * 1000 + connectTimeout.components.attoseconds / 1_000_000_000_000_000)
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(milliseconds), read: nil),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maxConnectionsPerHost))
        configuration.httpVersion = .automatic
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}
