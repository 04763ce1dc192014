import KimiSwarmCore

/// `delegate`: an agent asks the swarm for a sub-agent of another template. The engine runs
/// the call itself (it needs the run's budget, depth and fan-out limits), so this is only
/// the definition the model sees.
enum DelegateTool {
    static let name = "delegate"

    static func definition(library: TemplateLibrary, excluding own: String) -> ToolDefinition {
        let choices = library.sortedTemplates.filter { $0.id != own }
        let catalogue = choices.map { "\($0.id): \($0.purpose)" }.joined(separator: "\n")
        return ToolDefinition(
            name: name,
            description:
                "Hands a self-contained piece of work to a new sub-agent of another template and returns its answer. Use it for work outside your expertise; give complete instructions (the sub-agent sees only them and the overall task). Templates:\n"
                + catalogue,
            parameters: [
                "type": "object",
                "properties": [
                    "template": ["type": "string", "enum": .array(choices.map { .string($0.id) }), "description": "Template id of the sub-agent."],
                    "instructions": ["type": "string", "description": "What the sub-agent must do and return."],
                ],
                "required": ["template", "instructions"],
                "additionalProperties": false,
            ])
    }
}
