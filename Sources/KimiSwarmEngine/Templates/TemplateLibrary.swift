public import Foundation

/// The agent templates and ready-made swarms a run can use: the built-in ones shipped with
/// KimiSwarm plus any a user adds from a folder (a user's template replaces a built-in one
/// with the same id).
public struct TemplateLibrary: Sendable {
    /// Templates by id.
    public private(set) var templates: [String: AgentTemplate]
    /// Ready-made swarms by id.
    public private(set) var swarms: [String: SwarmDefinition]

    /// Creates a library from values.
    public init(templates: [AgentTemplate] = [], swarms: [SwarmDefinition] = []) {
        self.templates = Dictionary(templates.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        self.swarms = Dictionary(swarms.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// The templates and swarms shipped with KimiSwarm.
    public static func builtIn() throws(TemplateError) -> TemplateLibrary {
        var library = TemplateLibrary()
        var problems: [String] = []
        for file in EmbeddedResources.templates {
            do throws(TemplateError) {
                library.add(try AgentTemplate(yaml: file.text, file: "templates/\(file.name)", source: "built-in"))
            } catch {
                problems += error.problems
            }
        }
        for file in EmbeddedResources.swarms {
            do throws(TemplateError) {
                library.add(try SwarmDefinition(yaml: file.text, file: "swarms/\(file.name)", source: "built-in"))
            } catch {
                problems += error.problems
            }
        }
        if !problems.isEmpty { throw TemplateError(problems: problems) }
        try library.validateSwarms()
        return library
    }

    /// Adds or replaces a template.
    public mutating func add(_ template: AgentTemplate) { templates[template.id] = template }

    /// Adds or replaces a swarm.
    public mutating func add(_ swarm: SwarmDefinition) { swarms[swarm.id] = swarm }

    /// Loads every `*.yaml`/`*.yml` file of `folder` as a template, and of `folder/swarms`
    /// as a swarm; every problem of every file is reported at once.
    public mutating func addFolder(_ folder: URL) throws(TemplateError) {
        var problems: [String] = []
        for (file, isSwarm) in Self.yamlFiles(in: folder) {
            let text: String
            do {
                text = try String(contentsOf: file, encoding: .utf8)
            } catch {
                problems.append("\(file.path): cannot be read: \(error.localizedDescription)")
                continue
            }
            do throws(TemplateError) {
                if isSwarm {
                    add(try SwarmDefinition(yaml: text, file: file.path))
                } else {
                    add(try AgentTemplate(yaml: text, file: file.path))
                }
            } catch {
                problems += error.problems
            }
        }
        if !problems.isEmpty { throw TemplateError(problems: problems) }
        try validateSwarms()
    }

    private static func yamlFiles(in folder: URL) -> [(URL, Bool)] {
        let manager = FileManager.default
        func list(_ directory: URL) -> [URL] {
            let names = (try? manager.contentsOfDirectory(atPath: directory.path)) ?? []
            return names.sorted().filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
                .map { directory.appendingPathComponent($0) }
        }
        return list(folder).map { ($0, false) } + list(folder.appendingPathComponent("swarms")).map { ($0, true) }
    }

    /// Checks that every swarm's graph is valid against the templates.
    public func validateSwarms() throws(TemplateError) {
        let validator = GraphValidator(knownTemplates: Set(templates.keys), maxTasks: 500)
        var problems: [String] = []
        for swarm in swarms.values.sorted(by: { $0.id < $1.id }) {
            problems += validator.problems(in: swarm.graph).map { "\(swarm.source): \($0)" }
        }
        if !problems.isEmpty { throw TemplateError(problems: problems) }
    }

    /// Templates sorted by category, then id.
    public var sortedTemplates: [AgentTemplate] {
        templates.values.sorted { ($0.category, $0.id) < ($1.category, $1.id) }
    }
}

extension TemplateLibrary {
    /// The YAML a shipped template was read from, to start a tenant's own template from it;
    /// `nil` for an id that is not shipped.
    public static func builtInYAML(templateID: String) -> String? {
        EmbeddedResources.templates.first { $0.name == templateID + ".yaml" }?.text
    }
}
