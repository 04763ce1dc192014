import Foundation
import KimiSwarmCore
import KimiSwarmTesting
@testable import swarm
import Testing

@Suite("swarm run, agents and bench on the command line")
struct SwarmCLITests {
    static func environment(_ server: LoopbackProviderServer) -> [String: String] {
        ["MOONSHOT_BASE_URL": server.baseURL + "/v1", "MOONSHOT_API_KEY": "sk-test-cli-DO-NOT-LEAK", "KIMI_CACHE__ENABLED": "false"]
    }

    static func scratch() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swarm-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("swarm run --swarm security prints the run id first, progress, and the synthesised report")
    func runSecuritySwarm() async throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await LoopbackProviderServer.withServer { server in
            server.setResponder(SwarmScript().respond)
            let report = folder.appendingPathComponent("report.md").path
            let result = try await SwarmProcess.run(
                ["run", "Review the payments API", "--swarm", "security", "--data-dir", folder.path, "--output", report],
                environment: Self.environment(server))
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.first?.hasPrefix("run run_") == true)
            #expect(result.stderr.contains("started threat-model (threat-modeler)"))
            #expect(result.stderr.contains("finished risk-prioritisation"))
            #expect(result.stderr.contains("synthesising"))
            #expect(result.stderr.contains("completed · 8/8 sub-agents"))
            #expect(result.stdout.hasPrefix("# Synthesis\nMerged 8 results."))
            #expect(try String(contentsOfFile: report, encoding: .utf8).hasPrefix("# Synthesis"))
            #expect(!result.stderr.contains("sk-test-cli-DO-NOT-LEAK"))
        }
    }

    @Test("a killed swarm run resumes from another process without repeating a finished call")
    func killAndResume() async throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await LoopbackProviderServer.withServer { server in
            let script = SwarmScript()
            let blocked = Mutex(true)
            server.setResponder { request in
                if request.bodyString.contains("# Your assignment (risk-prioritisation)"), blocked.withLock({ $0 }) { return .hang }
                return script.respond(request)
            }
            let first = try SwarmProcess.start(
                ["run", "Review the payments API", "--swarm", "security", "--data-dir", folder.path],
                environment: Self.environment(server))
            var started = false
            for _ in 0..<600 where !started {
                started = first.stderrSoFar.contains("started risk-prioritisation")
                if !started { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(started, "the first run never reached the last sub-agent: \(first.stderrSoFar)")
            // The log line comes before the request: wait until the hanging call has arrived.
            for _ in 0..<100 where server.recordedRequests().count < 8 { try await Task.sleep(for: .milliseconds(100)) }
            first.kill()
            let killed = await first.wait()
            #expect(killed.status != 0)
            let runLine = try #require(killed.stderr.split(separator: "\n").first { $0.hasPrefix("run ") })
            let runID = String(runLine.dropFirst(4))
            let before = server.recordedRequests().map(\.bodyString)
            #expect(before.count == 8)  // seven finished sub-agents and the hanging one

            blocked.withLock { $0 = false }
            server.clearRecordedRequests()
            let resumed = try await SwarmProcess.run(
                ["run", "--resume", runID, "--data-dir", folder.path], environment: Self.environment(server))
            #expect(resumed.status == 0, "stderr: \(resumed.stderr)")
            #expect(resumed.stderr.contains("resuming"))
            #expect(resumed.stdout.hasPrefix("# Synthesis\nMerged 8 results."))
            let after = server.recordedRequests().map(\.bodyString)
            #expect(after.count == 2)  // the sub-agent that never finished, and the synthesis
            let finishedBefore = before.filter { !$0.contains("# Your assignment (risk-prioritisation)") }
            #expect(Set(finishedBefore).isDisjoint(with: after), "a finished step was paid twice")
        }
    }

    @Test("swarm run keeps its journal in the data directory's kimiswarm.sqlite; an older runs.sqlite is not read, and --resume says so")
    func dataDirectory() async throws {
        let folder = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await LoopbackProviderServer.withServer { server in
            server.setResponder(SwarmScript().respond)
            let run = try await SwarmProcess.run(
                ["run", "Review the payments API", "--swarm", "security", "--data-dir", folder.path], environment: Self.environment(server))
            #expect(run.status == 0, "stderr: \(run.stderr)")
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            #expect(files.contains("kimiswarm.sqlite"))
            #expect(files.allSatisfy { $0.hasPrefix("kimiswarm.sqlite") }, "\(files)")

            // A journal file of an older version: not read; the error names it and says why.
            let legacy = folder.appendingPathComponent("runs.sqlite").path
            #expect(FileManager.default.createFile(atPath: legacy, contents: Data("old".utf8)))
            let resumed = try await SwarmProcess.run(
                ["run", "--resume", "run_from_an_older_version", "--data-dir", folder.path], environment: Self.environment(server))
            #expect(resumed.status == 1)
            #expect(resumed.stderr.contains("no run run_from_an_older_version in the journal"), "\(resumed.stderr)")
            #expect(resumed.stderr.contains("is the journal of an older version and is no longer read"), "\(resumed.stderr)")
            #expect(try String(contentsOfFile: legacy, encoding: .utf8) == "old")
        }
    }

    @Test("swarm agents list and show")
    func agents() async throws {
        let list = try await SwarmProcess.run(["agents", "list"])
        #expect(list.status == 0, "stderr: \(list.stderr)")
        #expect(list.stdout.contains("security-auditor"))
        #expect(list.stdout.contains("enterprise-architecture"))
        let count = list.stdout.split(separator: "\n").last.flatMap { Int($0.split(separator: " ").first ?? "") } ?? 0
        #expect(count >= 40)
        let show = try await SwarmProcess.run(["agents", "show", "compliance-gdpr"])
        #expect(show.status == 0)
        #expect(show.stdout.contains("system prompt:"))
        let missing = try await SwarmProcess.run(["agents", "show", "auditor"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("Did you mean: security-auditor"))
    }

    @Test("a swarm of 100 sub-agents making 1,500 tool calls completes, every event delivered")
    func scale() async throws {
        let report = try await SwarmBenchmark(agents: 100, toolCalls: 1500, latency: .milliseconds(5)).run()
        #expect(report.status == "completed")
        #expect(report.completedAgents == 100)
        #expect(report.toolCalls == 1500)
        #expect(report.toolResultEvents == 1500)
        #expect(report.llmCalls == 100 * 4 + 2)
        #expect(report.criticalPathSeconds > 0 && report.wallSeconds >= report.criticalPathSeconds * 0.99)
    }
}

import Synchronization
