import ArgumentParser
import Foundation
import KimiSwarmCore

/// `swarm bench`: benchmarks that print figures.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks that print figures (no provider account needed).",
        subcommands: [BenchSwarmCommand.self, BenchStoreCommand.self, BenchGatewayCommand.self])
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
            agents: agents, toolCalls: toolCalls, latency: .saturating(seconds: try DurationArgument.seconds(latency, option: "--latency")),
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

/// `swarm bench gateway`: what the OpenAI-compatible gateway adds to a call.
struct BenchGatewayCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "The gateway's added latency: the same load sent to a loopback upstream directly and through the gateway.",
        discussion: """
            Starts a loopback OpenAI-compatible upstream and a gateway server in front of it (SQLite in a temporary
            folder, a tenant without limits), then sends chat completions back to back from 1 and from 64 clients,
            plain and streaming, for --duration each. Prints p50/p99 latency, requests/s, and the gateway's added
            p50/p99 (gateway minus direct). Measure a release build: swift run -c release swarm bench gateway.
            """)

    @Option(name: .long, help: "Seconds per phase.")
    var duration: Double = 5

    @Option(name: .long, help: "Concurrent clients per phase, comma-separated.")
    var clients = "1,64"

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func execute() async throws {
        let counts = clients.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard duration > 0, duration <= 600, !counts.isEmpty, counts.allSatisfy({ (1...1024).contains($0) }) else {
            throw KimiSwarmError.configuration("--duration must be 0...600 s and --clients 1...1024 each", hint: "Fix the values.")
        }
        let report = try await GatewayBenchmark(duration: .saturating(seconds: duration), clientCounts: counts).run()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            FileHandle.standardOutput.write(try encoder.encode(report))
            print()
            return
        }
        print(String(format: "gateway benchmark: %.1f s per phase", report.durationSeconds))
        func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }
        print("  target   mode    clients  requests  errors    p50 ms    p99 ms      req/s")
        for phase in report.phases {
            print(
                "  " + pad(phase.target, 9) + pad(phase.mode, 7)
                    + String(
                        format: "%8ld %9ld %7ld %9.3f %9.3f %10.0f", phase.clients, phase.requests, phase.errors, phase.p50Milliseconds,
                        phase.p99Milliseconds, phase.requestsPerSecond))
        }
        print("  added by the gateway (gateway minus direct):")
        for item in report.overhead {
            print(
                "  " + pad(item.mode, 7)
                    + String(format: "%3ld clients  p50 %+8.3f ms  p99 %+8.3f ms", item.clients, item.addedP50Milliseconds, item.addedP99Milliseconds))
        }
    }
}
