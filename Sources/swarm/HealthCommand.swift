import ArgumentParser
import Foundation
import KimiSwarmClient
import KimiSwarmCore

/// `swarm health`: can each configured provider be reached with its key, and how fast.
struct HealthCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Check every configured provider: reachable, key accepted, latency.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Seconds to wait for each provider.")
    var timeout: Double = 5

    @Flag(name: .long, help: "Print JSON.")
    var json = false


    func execute() async throws {
        guard timeout > 0, timeout.isFinite else {
            throw KimiSwarmError.configuration("--timeout must be a positive number of seconds")
        }
        let context = try await CommandContext.load(global)
        let results = await context.client.healthCheck(timeout: .saturating(seconds: timeout))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(results), as: UTF8.self))
        } else {
            print(HealthTable.render(results))
        }
        let configured = results.filter { $0.status != .notConfigured }
        if !configured.isEmpty, configured.allSatisfy({ $0.status != .healthy }) { throw ExitCode(1) }
    }
}

/// A plain-text table of health results.
enum HealthTable {
    static func render(_ results: [ProviderHealth]) -> String {
        let header = ["PROVIDER", "STATUS", "LATENCY", "CIRCUITS", "ENDPOINT", "DETAIL"]
        var rows = [header]
        for result in results {
            let latency = result.latency.map { duration -> String in
                let milliseconds = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
                return String(format: "%.0f ms", milliseconds)
            }
            let circuits = result.circuits.isEmpty
                ? "-" : result.circuits.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            rows.append([result.provider.rawValue, result.status.rawValue, latency ?? "-", circuits, result.endpoint, result.detail ?? ""])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
