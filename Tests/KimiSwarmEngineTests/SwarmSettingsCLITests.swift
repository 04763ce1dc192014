import Foundation
import KimiSwarmCore
import KimiSwarmEngine
import KimiSwarmStore
import KimiSwarmTesting
import Testing

/// Settings that `swarm run` must honour, read back from what the real command did.
@Suite("swarm run honours its settings")
struct SwarmSettingsCLITests {
    /// Runs `swarm run --swarm security` with `environment` and `flags`; returns the run's
    /// journaled spec and the command's stderr.
    static func run(environment: [String: String], flags: [String] = []) async throws -> (RunSpec, String) {
        let folder = try SwarmCLITests.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        return try await LoopbackProviderServer.withServer { server in
            server.setResponder(SwarmScript().respond)
            let result = try await SwarmProcess.run(
                ["run", "Review the payments API", "--swarm", "security", "--data-dir", folder.path] + flags,
                environment: SwarmCLITests.environment(server).merging(environment) { _, given in given })
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let firstLine = try #require(result.stderr.split(separator: "\n").first { $0.hasPrefix("run run_") })
            let runID = String(firstLine.dropFirst(4))
            let store = try await openJournalStore(folder.appendingPathComponent("kimiswarm.sqlite").path)
            let entry = try await store.journal(tenantID: "scope:local").entry(runID: runID, stepID: "run")
            try await store.database.close()
            let spec = try JSONDecoder().decode(RunSpec.self, from: Data(try #require(entry).payload.utf8))
            return (spec, result.stderr)
        }
    }

    @Test("KIMI_SWARM__CONCURRENCY is the run's concurrency unless --concurrency says otherwise")
    func concurrency() async throws {
        #expect(try await Self.run(environment: [:]).0.limits.concurrency == RunLimits().concurrency)
        #expect(try await Self.run(environment: ["KIMI_SWARM__CONCURRENCY": "3"]).0.limits.concurrency == 3)
        #expect(try await Self.run(environment: ["KIMI_SWARM__CONCURRENCY": "3"], flags: ["--concurrency", "5"]).0.limits.concurrency == 5)
    }

    @Test("KIMI_SWARM__CONCURRENCY outside the engine's bounds is a configuration error (exit 2)")
    func concurrencyOutOfBounds() async throws {
        let result = try await SwarmProcess.run(
            ["run", "x", "--estimate"], environment: ["MOONSHOT_API_KEY": "sk-x", "KIMI_SWARM__CONCURRENCY": "\(RunLimits.Bounds.concurrency.upperBound + 1)"])
        #expect(result.status == 2, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("KIMI_SWARM__CONCURRENCY"))
    }

    @Test("KIMI_OBSERVABILITY__LOG_LEVEL=info applies to swarm run (unset, the command logs warnings only)")
    func explicitLogLevelWins() async throws {
        let (_, quiet) = try await Self.run(environment: [:])
        #expect(!quiet.contains("run started"), "\(quiet)")
        let (_, informative) = try await Self.run(environment: ["KIMI_OBSERVABILITY__LOG_LEVEL": "info"])
        #expect(informative.contains("run started"), "\(informative)")
    }
}
