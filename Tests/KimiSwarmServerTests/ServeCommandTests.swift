import AsyncHTTPClient
import Foundation
import KimiSwarmCore
import KimiSwarmTesting
import NIOCore
import NIOHTTP1
import Testing

@Suite("swarm serve")
struct ServeCommandTests {
    /// Waits for a line of stdout matching `prefix`; returns the rest of the line.
    static func waitForLine(_ process: SwarmProcess.Running, containing marker: String, timeout: Duration = .seconds(60)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = process.stdoutSoFar.split(separator: "\n").first(where: { $0.contains(marker) }) { return String(line) }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("no line with \(marker); stderr: \(process.stderrSoFar)")
        throw CancellationError()
    }

    static func get(_ url: String, key: String? = nil) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        let response = try await testHTTPClient.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }

    @Test("with no flags it starts on SQLite, prints a one-time admin key, serves it, and stops gracefully on SIGTERM")
    func firstStartAndSigterm() async throws {
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: config) }
        try "server:\n  port: 0\n  workers: 1\n".write(to: config, atomically: true, encoding: .utf8)
        let process = try SwarmProcess.start(["serve", "--config", config.path])
        let listening = try await Self.waitForLine(process, containing: "listening on http://")
        let url = try #require(listening.split(separator: " ").first { $0.hasPrefix("http://") }).description
        #expect(listening.contains("database: sqlite"))
        let keyLine = try await Self.waitForLine(process, containing: "Admin API key")
        let key = try #require(keyLine.split(separator: " ").last.map(String.init))
        #expect(key.hasPrefix("ks_"))
        #expect(try await Self.get(url + "/health") == 200)
        #expect(try await Self.get(url + "/api/v1/runs", key: key) == 200)
        #expect(try await Self.get(url + "/api/v1/runs", key: key + "x") == 401)
        let started = ContinuousClock.now
        process.kill(SIGTERM)
        let result = await process.wait()
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(ContinuousClock.now - started < .seconds(15))
        #expect(!result.stderr.contains(key))
    }

    @Test("invalid settings stop it with exit code 2 and a message naming the setting")
    func invalidSettings() async throws {
        let badPort = try await SwarmProcess.run(["serve", "--port", "70000"])
        #expect(badPort.status == 2)
        #expect(badPort.stderr.contains("--port"))

        let badKey = try await SwarmProcess.run(["serve", "--port", "0"], environment: ["KIMISWARM_ADMIN_KEY": "short"])
        #expect(badKey.status == 2)
        #expect(badKey.stderr.contains("KIMISWARM_ADMIN_KEY"))
        #expect(!badKey.stderr.contains("short\n"))

        let badWorkers = try await SwarmProcess.run(["serve"], environment: ["KIMI_SERVER__WORKERS": "9999"])
        #expect(badWorkers.status == 2)
        #expect(badWorkers.stderr.contains("KIMI_SERVER__WORKERS"))

        let badDatabase = try await SwarmProcess.run(["serve", "--port", "0"], environment: ["KIMI_SERVER__DATABASE_URL": "mysql://x"])
        #expect(badDatabase.status == 2)
        #expect(badDatabase.stderr.contains("database_url") || badDatabase.stderr.contains("DATABASE_URL"))
    }
}
