import KimiSwarmCore

extension AgentTemplate {
    static var idPattern: Regex<Substring> { /^[a-z0-9][a-z0-9-]{0,63}$/ }
    static var toolNamePattern: Regex<Substring> { /^[a-zA-Z0-9_-]{1,64}$/ }

    /// Reads a template from YAML text; `file` names it in errors (and must be `<id>.yaml`
    /// when it ends in `.yaml`).
    public init(yaml text: String, file: String, source: String? = nil) throws(TemplateError) {
        var document = try YAMLDocument(text: text, file: file)
        let id = document.string("id") ?? ""
        let name = document.string("name") ?? ""
        let category = document.string("category") ?? ""
        let purpose = document.string("purpose") ?? ""
        let description = document.string("description", required: false) ?? ""
        let tierText = document.string("model_tier", required: false) ?? ModelTier.balanced.rawValue
        let tools = document.strings("tools")
        let systemPrompt = document.string("system_prompt") ?? ""
        let outputSchema = document.json("output_schema")
        let examples = document.strings("examples")
        _ = document.string("version", required: false)

        if !id.isEmpty, (try? Self.idPattern.wholeMatch(in: id)) == nil {
            document.problem("id", "\"\(id)\" must be lowercase letters, digits and hyphens (at most 64), starting with a letter or digit")
        }
        let baseName = file.split(separator: "/").last.map(String.init) ?? file
        if baseName.hasSuffix(".yaml") || baseName.hasSuffix(".yml"), !id.isEmpty,
            baseName != "\(id).yaml", baseName != "\(id).yml"
        {
            document.problem("id", "\"\(id)\" must match the file name (\(id).yaml)")
        }
        if purpose.contains("\n") || purpose.count > 120 {
            document.problem("purpose", "must be one line of at most 120 characters")
        }
        let tier = ModelTier(rawValue: tierText)
        if tier == nil {
            document.problem("model_tier", "must be one of fast, balanced, deep (got \"\(tierText)\")")
        }
        for (index, tool) in tools.enumerated() where (try? Self.toolNamePattern.wholeMatch(in: tool)) == nil {
            document.problem("tools[\(index)]", "\"\(tool)\" is not a valid tool name")
        }
        if Set(tools).count != tools.count {
            document.problem("tools", "lists a tool twice")
        }
        if let outputSchema, outputSchema.objectValue == nil {
            document.problem("output_schema", "must be a JSON Schema object")
        } else if let outputSchema {
            for problem in JSONSchemaValidator.checkSchema(outputSchema) {
                document.problem("output_schema", problem)
            }
        }
        document.rejectUnknownFields()
        if !document.problems.isEmpty { throw TemplateError(problems: document.problems) }
        self.init(
            id: id, name: name, category: category, purpose: purpose,
            description: description.trimmingCharacters(in: .whitespacesAndNewlines),
            modelTier: tier ?? .balanced, tools: tools, systemPrompt: systemPrompt.trimmingCharacters(in: .whitespacesAndNewlines),
            outputSchema: outputSchema, examples: examples, source: source ?? file)
    }
}

import Foundation
