/// Agent templates of a tenant.
public struct TemplateRepository: Sendable {
    let context: RepositoryContext

    public init(context: RepositoryContext) { self.context = context }

    /// Creates or replaces a template.
    @discardableResult
    public func saveTemplate(tenantID: String, id: String, name: String, definition: String) async throws -> AgentTemplateRecord {
        let now = context.now
        try await context.database.query(
            """
            INSERT INTO agent_templates(tenant_id, id, name, definition, created_at, updated_at)
            VALUES (\(tenantID), \(id), \(name), \(definition), \(now), \(now))
            ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, definition = excluded.definition,
                updated_at = excluded.updated_at
            """)
        guard let saved = try await template(tenantID: tenantID, templateID: id) else { throw StoreError.notFound("template") }
        return saved
    }

    /// One template.
    public func template(tenantID: String, templateID: String) async throws -> AgentTemplateRecord? {
        try await context.database.first("SELECT * FROM agent_templates WHERE tenant_id = \(tenantID) AND id = \(templateID)")
            .map(Self.template)
    }

    /// Every template of the tenant.
    public func templates(tenantID: String) async throws -> [AgentTemplateRecord] {
        try await context.database.query("SELECT * FROM agent_templates WHERE tenant_id = \(tenantID) ORDER BY id").map(Self.template)
    }

    /// Deletes a template.
    public func deleteTemplate(tenantID: String, templateID: String) async throws {
        try await context.database.query("DELETE FROM agent_templates WHERE tenant_id = \(tenantID) AND id = \(templateID)")
    }

    static func template(_ row: SQLRow) throws -> AgentTemplateRecord {
        AgentTemplateRecord(
            tenantID: try row.string("tenant_id"), id: try row.string("id"), name: try row.string("name"),
            definition: try row.string("definition"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}
