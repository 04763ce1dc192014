import ArgumentParser
import Foundation
import KimiSwarmClient
import KimiSwarmCore

/// `swarm route "prompt"`: a dry run of the router (nothing is sent).
struct RouteCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "route",
        abstract: "Show which target the router would pick for a prompt, its fallbacks and a cost estimate (nothing is sent).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The prompt; '-' reads it from standard input.")
    var prompt: String

    @Option(name: [.short, .long], help: "A model: provider/model or a deployment name bypasses the rules.")
    var model: String?

    @Option(name: .long, help: "A routing tag for `tag:` rules.")
    var tag: String?

    @Option(name: .long, help: "Cost preference for `cost:` rules: lowest, balanced or quality.")
    var cost: String?

    @Option(name: .long, help: "A complexity score in 0...1 that overrides the estimate.")
    var complexity: Double?

    @Option(name: .long, help: "Most tokens to generate (for the cost estimate).")
    var maxTokens: Int?


    func execute() async throws {
        let context = try await CommandContext.load(global)
        var text = prompt
        if text == "-" { text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) }
        var preference: CostPreference?
        if let cost {
            guard let parsed = CostPreference(rawValue: cost.lowercased()) else {
                throw KimiSwarmError.configuration("--cost '\(cost)' is not one of lowest, balanced, quality")
            }
            preference = parsed
        }
        let request = ChatRequest(
            model: model, messages: [.user(text)], maxTokens: maxTokens,
            options: RequestOptions(routeTag: tag, costPreference: preference, complexity: complexity))
        let plan = context.client.makeRouter(logger: context.logger).route(request)
        print(plan.description)
        if let primary = plan.primary {
            let estimate = CostCalculator(registry: context.registry).estimate(request: request, target: primary)
            let price = estimate.cost.map { "$\($0)" } ?? "unknown (model not in the registry)"
            print("estimated cost: \(price) (\(estimate.promptTokens) prompt + up to \(estimate.completionTokens) output tokens)")
        }
    }
}
