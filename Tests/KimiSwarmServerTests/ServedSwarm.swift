import AsyncHTTPClient
import Foundation
import KimiSwarmCore
import KimiSwarmTesting
import NIOCore
import NIOHTTP1
import Testing

/// A `swarm serve` process for tests of what only the real command does (its data folder,
/// its default configuration, SIGKILL): started against a loopback provider, with a known
/// super admin key, and reached over HTTP.
struct ServedSwarm: Sendable {
    let process: SwarmProcess.Running
    /// `http://127.0.0.1:PORT`, as the server printed it.
    let url: String
    /// The super admin's key (`KIMISWARM_ADMIN_KEY`).
    let adminKey: String

    /// Starts `swarm serve --port 0 --data-dir DATA --workers N` with Moonshot at `provider`
    /// and waits until it listens.
    static func start(
        data: URL, provider: LoopbackProviderServer, workers: Int, adminKey: String = "ks_" + String(repeating: "a", count: 40),
        environment: [String: String] = [:]
    ) async throws -> ServedSwarm {
        let process = try SwarmProcess.start(
            ["serve", "--port", "0", "--data-dir", data.path, "--workers", String(workers)],
            environment: [
                "MOONSHOT_BASE_URL": provider.baseURL + "/v1", "MOONSHOT_API_KEY": "sk-test-served", "KIMISWARM_ADMIN_KEY": adminKey,
            ].merging(environment) { _, given in given })
        return ServedSwarm(process: process, url: try await listeningURL(process), adminKey: adminKey)
    }

    /// The URL in the server's "listening on" line.
    static func listeningURL(_ process: SwarmProcess.Running) async throws -> String {
        let line = try await ServeCommandTests.waitForLine(process, containing: "listening on http://")
        return try #require(line.split(separator: " ").first { $0.hasPrefix("http://") }).description
    }

    /// Sends a request (`body` as JSON) with `key` (default: the admin's) and returns the status
    /// and the JSON answer.
    func call(
        _ method: HTTPMethod, _ path: String, _ body: String? = nil, key: String? = nil, tenant: String? = nil
    ) async throws -> (status: Int, json: JSONValue?) {
        var request = HTTPClientRequest(url: url + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(key ?? adminKey)")
        if let tenant { request.headers.add(name: "X-KimiSwarm-Tenant", value: tenant) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await testHTTPClient.execute(request, timeout: .seconds(30))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        return (Int(response.status.code), try? JSONValue(parsing: text))
    }

    /// Polls a run until it reaches one of `statuses` (or `timeout` passes); returns its status.
    func waitForRun(_ id: String, key: String? = nil, statuses: Set<String> = ["succeeded", "partial", "failed", "cancelled"], timeout: Duration = .seconds(60))
        async throws -> String
    {
        let deadline = ContinuousClock.now + timeout
        var status = ""
        while ContinuousClock.now < deadline {
            status = try await call(.GET, "/api/v1/runs/\(id)", key: key).json?["status"]?.stringValue ?? ""
            if statuses.contains(status) { return status }
            try await Task.sleep(for: .milliseconds(100))
        }
        return status
    }

    /// SIGTERM, then waits for the exit; returns its status.
    @discardableResult
    func stop() async -> Int32 {
        process.kill(SIGTERM)
        return await process.wait().status
    }
}
