import Foundation
import Hummingbird
import KimiSwarmEngine
import KimiSwarmPlatform
import KimiSwarmStore

/// `/templates`: the shipped templates of the server's library plus the tenant's own. A
/// tenant's template is YAML in the shipped templates' format, checked by the engine's parser
/// (422 naming each problem); a shipped id cannot be taken, replaced or deleted (409).
struct TemplateRoutes {
    let store: SwarmStore
    let library: TemplateLibrary

    struct Body: Decodable {
        var definition: String
        static let allowedKeys: Set<String> = ["definition"]
    }

    func register(_ api: APIRoutes) {
        api.on(.get, "templates", .templatesRead) { _, _, principal in
            var data = library.sortedTemplates.map { TemplateDTO($0, origin: "shipped", definition: nil) }
            for record in try await store.templates.templates(tenantID: principal.tenantID) {
                data.append(TemplateDTO(record: record, parsed: try? Self.parse(record.definition)))
            }
            return try JSONBody.response(["data": data])
        }
        api.on(.get, "templates/:template_id", .templatesRead) { _, context, principal in
            let id = try Admin.identifier(context, "template_id", what: "template")
            if let shipped = library.templates[id] { return try JSONBody.response(TemplateDTO(shipped, origin: "shipped", definition: nil)) }
            let record = try await own(id, principal)
            return try JSONBody.response(TemplateDTO(record: record, parsed: try? Self.parse(record.definition)))
        }
        api.on(.post, "templates", .templatesWrite) { request, context, principal in
            let body = try await Admin.body(Body.self, request, context, allowedKeys: Body.allowedKeys)
            let template = try Self.parse(body.definition)
            try refuseShipped(template.id)
            if try await store.templates.template(tenantID: principal.tenantID, templateID: template.id) != nil {
                throw APIError.conflict("a template `\(template.id)` exists already", hint: "Replace it with PUT /api/v1/templates/\(template.id).")
            }
            let record = try await store.templates.saveTemplate(
                tenantID: principal.tenantID, id: template.id, name: template.name, definition: body.definition)
            return try JSONBody.response(
                TemplateDTO(record: record, parsed: template), status: .created, headers: [.location: "/api/v1/templates/\(template.id)"])
        }
        api.on(.put, "templates/:template_id", .templatesWrite) { request, context, principal in
            let id = try Admin.identifier(context, "template_id", what: "template")
            try refuseShipped(id)
            _ = try await own(id, principal)
            let body = try await Admin.body(Body.self, request, context, allowedKeys: Body.allowedKeys)
            let template = try Self.parse(body.definition)
            guard template.id == id else {
                throw APIError.unprocessable("the definition's id `\(template.id)` is not the path's `\(id)`", param: "definition")
            }
            let record = try await store.templates.saveTemplate(
                tenantID: principal.tenantID, id: id, name: template.name, definition: body.definition)
            return try JSONBody.response(TemplateDTO(record: record, parsed: template))
        }
        api.on(.delete, "templates/:template_id", .templatesWrite) { _, context, principal in
            let id = try Admin.identifier(context, "template_id", what: "template")
            try refuseShipped(id)
            _ = try await own(id, principal)
            try await store.templates.deleteTemplate(tenantID: principal.tenantID, templateID: id)
            return Admin.noContent()
        }
    }

    private func own(_ id: String, _ principal: Principal) async throws -> AgentTemplateRecord {
        guard let record = try await store.templates.template(tenantID: principal.tenantID, templateID: id) else {
            throw APIError.notFound("template")
        }
        return record
    }

    private func refuseShipped(_ id: String) throws {
        if library.templates[id] != nil {
            throw APIError.conflict("`\(id)` is a shipped template and cannot be replaced or deleted", hint: "Give your template another id.")
        }
    }

    /// Parses a definition with the engine's template parser; 422 listing every problem.
    static func parse(_ definition: String) throws -> AgentTemplate {
        guard !definition.isEmpty, definition.utf8.count <= 256 << 10 else {
            throw APIError.unprocessable("`definition` must be 1 byte to 256 KiB of YAML", param: "definition")
        }
        do {
            return try AgentTemplate(yaml: definition, file: "definition", source: "tenant")
        } catch {
            throw APIError.unprocessable(
                "the template is invalid: \(error.problems.joined(separator: "; "))",
                hint: "Use the format of the shipped templates (GET /api/v1/templates/{id}).", param: "definition")
        }
    }
}

/// A template as the API shows it: its fields, where it comes from and, for a tenant's own,
/// its definition text.
struct TemplateDTO: Encodable {
    var id: String
    var name: String
    var origin: String
    var template: AgentTemplate?
    var definition: String?
    var createdAt: Date?
    var updatedAt: Date?

    init(_ template: AgentTemplate, origin: String, definition: String?) {
        id = template.id
        name = template.name
        self.origin = origin
        self.template = template
        self.definition = definition
    }

    init(record: AgentTemplateRecord, parsed: AgentTemplate?) {
        id = record.id
        name = record.name
        origin = "tenant"
        template = parsed
        definition = record.definition
        createdAt = record.createdAt
        updatedAt = record.updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, origin, definition, category, purpose, description, tools
        case modelTier = "model_tier"
        case systemPrompt = "system_prompt"
        case outputSchema = "output_schema"
        case examples
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(origin, forKey: .origin)
        try container.encode(template?.category, forKey: .category)
        try container.encode(template?.purpose, forKey: .purpose)
        try container.encode(template?.description, forKey: .description)
        try container.encode(template?.modelTier.rawValue, forKey: .modelTier)
        try container.encode(template?.tools, forKey: .tools)
        try container.encode(template?.systemPrompt, forKey: .systemPrompt)
        try container.encode(template?.outputSchema, forKey: .outputSchema)
        try container.encode(template?.examples, forKey: .examples)
        try container.encode(definition, forKey: .definition)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}
