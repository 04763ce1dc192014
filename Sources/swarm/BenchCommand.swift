import ArgumentParser
import Foundation
import KimiSwarmCore

/// `swarm bench`: benchmarks that print figures.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks that print figures (no provider account needed).",
        subcommands: [BenchSwarmCommand.self, BenchStoreCommand.self])
}

struct BenchSwarmCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "swarm",
        abstract: "The engine against a loopback provider with a fixed latency: wall time against the critical path.",
        discussion: """
            Plans a swarm of --agents sub-agents that make --tool-calls tool calls in all (5 in parallel per turn),
            every model call answered after --latency, through the production client over HTTP on 127.0.0.1.
            The ratio wall time / critical path shows what the scheduler adds (1.00 = nothing).
            """)

    @Option(name: .long, help: "Sub-agents.")
    var agents = 100

    @Option(name: .long, help: "Tool calls over the run.")
    var toolCalls = 1500

    @Option(name: .long, help: "Latency of every model call: 200ms, 1s.")
    var latency = "200ms"

    @Option(name: .long, help: "Sub-agents at once (default: all).")
    var concurrency: Int?

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func execute() async throws {
        guard agents >= 1, toolCalls >= 0, agents <= 1000 else {
            throw KimiSwarmError.configuration("--agents must be 1...1000 and --tool-calls not negative", hint: "Fix the values.")
        }
        let benchmark = SwarmBenchmark(
            agents: agents, toolCalls: toolCalls, latency: .milliseconds(Int64(try DurationArgument.seconds(latency, option: "--latency") * 1000)),
            concurrency: concurrency)
        let report = try await benchmark.run()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            FileHandle.standardOutput.write(try encoder.encode(report))
            print()
            return
        }
        print("swarm benchmark: \(report.agents) sub-agents, \(report.toolCalls) tool calls, \(report.llmCalls) model calls at \(Int(report.latencyMilliseconds)) ms each")
        print("  status           \(report.status), \(report.completedAgents)/\(report.agents) sub-agents completed, \(report.events) events (\(report.toolResultEvents) tool results)")
        print(String(format: "  wall time        %.3f s", report.wallSeconds))
        print(String(format: "  critical path    %.3f s", report.criticalPathSeconds))
        print(String(format: "  ratio            %.3f  (wall / critical path; 1.000 = the scheduler adds nothing)", report.ratio))
        print(String(format: "  parallel speedup %.1fx  (sum of sub-agent times %.1f s / wall time)", report.parallelSpeedup, report.sumOfAgentSeconds))
    }
}
