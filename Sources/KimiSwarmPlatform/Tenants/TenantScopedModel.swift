package import KimiSwarmCore

/// A run's model, scoped to its tenant: every request's response-cache scope is the tenant's
/// (`tenant:<id>`, as the gateway's), so two tenants that send the same prompt through runs
/// never share a cached answer, and one tenant's repeated prompt is a hit.
package struct TenantScopedModel: ChatModel {
    package let base: any ChatModel
    package let tenantID: String

    package func chat(_ request: ChatRequest) async throws -> ChatResponse {
        try await base.chat(scoped(request))
    }

    package func chatStream(_ request: ChatRequest) -> ChatStream {
        base.chatStream(scoped(request))
    }

    private func scoped(_ request: ChatRequest) -> ChatRequest {
        var request = request
        request.options.cacheScope = "tenant:\(tenantID)"
        return request
    }
}
