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

    @Test("SIGTERM with a run in flight and a client on its event stream: the process exits promptly, and the next start finishes the run")
    func sigtermReleasesRunningJobs() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serve-data-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await LoopbackProviderServer.withServer { provider in
            let script = SwarmScript(latency: .milliseconds(1500))
            provider.setResponder(script.respond)
            let key = "ks_" + String(repeating: "k", count: 40)
            let environment = [
                "MOONSHOT_BASE_URL": provider.baseURL + "/v1", "MOONSHOT_API_KEY": "sk-test-serve", "KIMI_CACHE__ENABLED": "false",
                "KIMISWARM_ADMIN_KEY": key,
            ]
            let arguments = ["serve", "--port", "0", "--data-dir", folder.path, "--workers", "2"]
            let first = try SwarmProcess.start(arguments, environment: environment)
            let line = try await Self.waitForLine(first, containing: "listening on http://")
            let url = try #require(line.split(separator: " ").first { $0.hasPrefix("http://") }).description
            var request = HTTPClientRequest(url: url + "/api/v1/runs")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(key)")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: #"{"task":"Design it","graph":\#(threeTaskGraph)}"#))
            let created = try await testHTTPClient.execute(request, timeout: .seconds(10))
            let body = try JSONValue(parsing: String(buffer: try await created.body.collect(upTo: 1 << 20)))
            let runID = try #require(body["id"]?.stringValue)
            // A client follows the events while the first agents are waiting on the model.
            var events = HTTPClientRequest(url: url + "/api/v1/runs/\(runID)/events")
            events.headers.add(name: "Authorization", value: "Bearer \(key)")
            let stream = try await testHTTPClient.execute(events, timeout: .seconds(60))
            _ = await provider.waitForRequests(1, timeout: .seconds(20))
            let stopping = ContinuousClock.now
            first.kill(SIGTERM)
            let firstResult = await first.wait()
            #expect(firstResult.status == 0, "stderr: \(firstResult.stderr)")
            #expect(ContinuousClock.now - stopping < .seconds(12))
            for try await _ in stream.body {}  // the stream was closed by the server, not left hanging

            // The next start (same data folder) resumes the released run and finishes it.
            let second = try SwarmProcess.start(arguments, environment: environment)
            let secondLine = try await Self.waitForLine(second, containing: "listening on http://")
            let secondURL = try #require(secondLine.split(separator: " ").first { $0.hasPrefix("http://") }).description
            var status = ""
            let deadline = ContinuousClock.now + .seconds(90)
            while ContinuousClock.now < deadline, status != "succeeded" {
                var get = HTTPClientRequest(url: secondURL + "/api/v1/runs/\(runID)")
                get.headers.add(name: "Authorization", value: "Bearer \(key)")
                let response = try await testHTTPClient.execute(get, timeout: .seconds(10))
                status = (try? JSONValue(parsing: String(buffer: try await response.body.collect(upTo: 1 << 20))))?["status"]?.stringValue ?? ""
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(status == "succeeded")
            second.kill(SIGTERM)
            #expect(await second.wait().status == 0)
        }
    }

    @Test("SIGTERM with a request whose upstream never answers: the process exits after server.shutdown_timeout, the request cancelled")
    func shutdownDeadline() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("serve-data-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await LoopbackProviderServer.withServer { provider in
            provider.setResponder { _ in .hang }
            let key = "ks_" + String(repeating: "d", count: 40)
            let environment = [
                "MOONSHOT_BASE_URL": provider.baseURL + "/v1", "MOONSHOT_API_KEY": "sk-test-serve", "KIMI_CACHE__ENABLED": "false",
                "KIMISWARM_ADMIN_KEY": key, "KIMI_SERVER__SHUTDOWN_TIMEOUT": "1",
            ]
            let process = try SwarmProcess.start(["serve", "--port", "0", "--data-dir", folder.path, "--workers", "0"], environment: environment)
            let line = try await Self.waitForLine(process, containing: "listening on http://")
            let url = try #require(line.split(separator: " ").first { $0.hasPrefix("http://") })
            let port = try #require(url.split(separator: ":").last.flatMap { Int($0.trimmingCharacters(in: .punctuationCharacters)) })
            let client = try await RawTCPClient.connect(port: port)
            await client.send(ClientDisconnectTests.chatRequest(key: key, stream: false))
            #expect(await provider.waitForRequests(1, timeout: .seconds(20)))
            let stopping = ContinuousClock.now
            process.kill(SIGTERM)
            // Before the deadline existed, the graceful shutdown waited for the call (the provider's
            // 600 s timeout): bounded here, then killed.
            let (result, inTime): (SwarmProcess.Result?, Bool) = await withTaskGroup(of: SwarmProcess.Result?.self) { group in
                group.addTask { await process.wait() }
                group.addTask {
                    try? await Task.sleep(for: .seconds(45))
                    return nil
                }
                if let result = await group.next() ?? nil {
                    group.cancelAll()
                    return (result, true)
                }
                process.kill(SIGKILL)
                return (await group.next() ?? nil, false)
            }
            #expect(inTime, "the process did not exit after SIGTERM")
            #expect(ContinuousClock.now - stopping < .seconds(20))
            #expect(result?.status == 0, "stderr: \(result?.stderr ?? "")")
            // The request was cancelled with its connection's task (which can no longer write
            // an answer): its client is not left waiting.
            #expect(await client.waitForClose(timeout: .seconds(5)))
        }
    }
}
