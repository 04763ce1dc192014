import ArgumentParser
import Foundation
import KimiSwarmCore
import KimiSwarmEngine

/// `swarm agents`: the agent templates and ready-made swarms.
struct AgentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agents", abstract: "List and show agent templates and ready-made swarms.",
        subcommands: [AgentsListCommand.self, AgentsShowCommand.self], defaultSubcommand: AgentsListCommand.self)
}

struct TemplateOptions: ParsableArguments {
    @Option(name: .long, help: "A folder of your own templates (and swarms/ under it).")
    var templates: String?
}

struct AgentsListCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List templates by category, and the ready-made swarms.")

    @OptionGroup var options: TemplateOptions

    @Option(name: .long, help: "Only this category.")
    var category: String?

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func execute() async throws {
        let library = try SwarmSetup.library(folder: options.templates)
        var templates = library.sortedTemplates
        if let category { templates = templates.filter { $0.category == category } }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let value = ["templates": templates.map(Listing.init), "swarms": library.swarms.values.sorted { $0.id < $1.id }.map(Listing.init)]
            FileHandle.standardOutput.write(try encoder.encode(value))
            print()
            return
        }
        var current = ""
        for template in templates {
            if template.category != current {
                current = template.category
                print("\n\(current)")
            }
            let tools = template.tools.isEmpty ? "" : "  [\(template.tools.joined(separator: ", "))]"
            print("  \(template.id.padding(toLength: 26, withPad: " ", startingAt: 0)) \(template.modelTier.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(template.purpose)\(tools)")
        }
        if category == nil {
            print("\nswarms (swarm run --swarm NAME)")
            for swarm in library.swarms.values.sorted(by: { $0.id < $1.id }) {
                print("  \(swarm.id.padding(toLength: 26, withPad: " ", startingAt: 0)) \(swarm.graph.tasks.count) sub-agents  \(swarm.name)")
            }
        }
        print("\n\(templates.count) templates")
    }

    struct Listing: Encodable {
        var id: String
        var name: String
        var category: String?
        var purpose: String
        var modelTier: String?
        var tools: [String]?
        var source: String

        init(_ template: AgentTemplate) {
            id = template.id
            name = template.name
            category = template.category
            purpose = template.purpose
            modelTier = template.modelTier.rawValue
            tools = template.tools
            source = template.source
        }

        init(_ swarm: SwarmDefinition) {
            id = swarm.id
            name = swarm.name
            purpose = swarm.description
            source = swarm.source
        }
    }
}

struct AgentsShowCommand: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one template (or swarm) in full.")

    @OptionGroup var options: TemplateOptions

    @Argument(help: "A template or swarm id.")
    var id: String

    func execute() async throws {
        let library = try SwarmSetup.library(folder: options.templates)
        if let template = library.templates[id] {
            print("\(template.name) (\(template.id))")
            print("category: \(template.category) · model tier: \(template.modelTier.rawValue) · tools: \(template.tools.isEmpty ? "none" : template.tools.joined(separator: ", ")) · source: \(template.source)")
            print("purpose: \(template.purpose)\n")
            if !template.description.isEmpty { print(template.description + "\n") }
            print("system prompt:\n\(template.systemPrompt)\n")
            if let schema = template.outputSchema { print("output schema: \(schema.canonicalText)\n") }
            if !template.examples.isEmpty { print("examples:\n" + template.examples.map { "  - \($0)" }.joined(separator: "\n")) }
            return
        }
        if let swarm = library.swarms[id] {
            print("\(swarm.name) (\(swarm.id)): \(swarm.description)\n")
            for task in swarm.graph.topologicalOrder {
                let after = task.dependsOn.isEmpty ? "" : " after \(task.dependsOn.joined(separator: ", "))"
                print("  \(task.id) [\(task.template)]\(after)\n    \(task.instructions.replacingOccurrences(of: "\n", with: "\n    "))")
            }
            return
        }
        let close = library.templates.keys.filter { $0.contains(id) || id.contains($0) }.sorted()
        throw KimiSwarmError.configuration(
            "no template or swarm '\(id)'",
            hint: close.isEmpty ? "Run `swarm agents list` to see them." : "Did you mean: \(close.joined(separator: ", "))?")
    }
}
