import ArgumentParser
import Foundation
import KimiSwarmClient
import KimiSwarmCore

/// `swarm models`: the registry's models with windows, prices and deprecations.
struct ModelsCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List known models with context windows, prices (USD per million tokens) and deprecations.")

    @OptionGroup var global: GlobalOptions

    @Option(name: [.short, .long], help: "Only this provider.")
    var provider: String?

    @Flag(name: .long, help: "Ask the provider's API for the models it serves now (needs its key).")
    var live = false

    @Flag(name: .long, help: "Print JSON.")
    var json = false


    func execute() async throws {
        let context = try await CommandContext.load(global)
        let providerID = provider.map { ProviderID($0) }
        if let providerID { _ = try context.configuration.provider(providerID) }
        if live {
            let models = try await context.client.models(provider: providerID)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                print(String(decoding: try encoder.encode(models), as: UTF8.self))
            } else {
                for model in models.sorted(by: { $0.id < $1.id }) {
                    let known = context.registry.entry(provider: model.provider, model: model.id) != nil ? "" : "  (not in registry)"
                    print("\(model.provider)\t\(model.id)\(known)")
                }
            }
            return
        }
        let entries = context.registry.entries.filter { providerID == nil || $0.provider == providerID }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(entries), as: UTF8.self))
            return
        }
        print(ModelTable.render(entries))
    }
}

/// A plain-text table of registry entries.
enum ModelTable {
    static func render(_ entries: [ModelEntry]) -> String {
        let header = ["PROVIDER", "MODEL", "KIND", "CONTEXT", "INPUT/1M", "CACHED/1M", "OUTPUT/1M", "CAPABILITIES", "STATUS"]
        var rows = [header]
        for entry in entries {
            let pricing = entry.pricing
            rows.append([
                entry.provider.rawValue,
                entry.id,
                entry.kind.rawValue,
                contextText(entry.contextWindow),
                pricing.map { "$" + UsageSummary.format(cost: $0.inputPerMillion) } ?? "-",
                pricing?.cachedInputPerMillion.map { "$" + UsageSummary.format(cost: $0) } ?? "-",
                pricing.map { entry.kind == .embedding ? "-" : "$" + UsageSummary.format(cost: $0.outputPerMillion) } ?? "-",
                entry.capabilities.sorted().map(\.rawValue).joined(separator: ","),
                entry.deprecation?.summary ?? "current",
            ])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    static func contextText(_ tokens: Int) -> String {
        if tokens >= 1_000_000, tokens % 1_000_000 == 0 { return "\(tokens / 1_000_000)M" }
        if tokens >= 1000, tokens % 1000 == 0 { return "\(tokens / 1000)K" }
        if tokens >= 1024, tokens % 1024 == 0 { return "\(tokens / 1024)K" }
        return "\(tokens)"
    }
}
