import KimiSwarmCore

/// A run's model, scoped to its tenant: every request's response-cache scope is the tenant's
/// (`tenant:<id>`, as the gateway's), so two tenants that send the same prompt through runs
/// never share a cached answer, and one tenant's repeated prompt is a hit.
struct TenantScopedModel: ChatModel {
    let base: any ChatModel
    let tenantID: String

    func chat(_ request: ChatRequest) async throws -> ChatResponse {
        try await base.chat(scoped(request))
    }

    func chatStream(_ request: ChatRequest) -> ChatStream {
        base.chatStream(scoped(request))
    }

    private func scoped(_ request: ChatRequest) -> ChatRequest {
        var request = request
        request.options.cacheScope = "tenant:\(tenantID)"
        return request
    }
}
