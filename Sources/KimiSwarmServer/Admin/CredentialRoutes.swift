import Foundation
import Hummingbird
import KimiSwarmCore
import KimiSwarmPlatform
import KimiSwarmStore

/// `/credentials`: the tenant's provider keys, write-only. Listing shows metadata; a secret
/// never leaves the server. Without a master key on the server, writing answers 503 with the
/// setting to fix.
struct CredentialRoutes {
    let store: SwarmStore
    let clients: TenantClients

    struct PutBody: Decodable {
        var secret: String
        var name: String?
        static let allowedKeys: Set<String> = ["secret", "name"]
    }

    func register(_ api: APIRoutes) {
        api.on(.get, "credentials", .credentialsManage) { _, _, principal in
            try JSONBody.response(["data": try await store.credentials.credentials(tenantID: principal.tenantID).map(CredentialDTO.init)])
        }
        api.on(.put, "credentials/:provider", .credentialsManage) { request, context, principal in
            let provider = try Self.provider(context)
            guard clients.providerIDs.contains(provider) else {
                throw APIError.unprocessable(
                    "this server has no provider `\(provider)`", hint: "Use one of: \(clients.providerIDs.joined(separator: ", ")).",
                    param: "provider")
            }
            let body = try await Admin.body(PutBody.self, request, context, allowedKeys: PutBody.allowedKeys)
            let name = body.name ?? "default"
            try Admin.validateID(name, field: "name")
            guard (1...8192).contains(body.secret.utf8.count), body.secret.trimmingCharacters(in: .whitespacesAndNewlines) == body.secret else {
                throw APIError.unprocessable("`secret` must be 1 to 8192 characters without surrounding spaces", param: "secret")
            }
            try await store.credentials.setCredential(tenantID: principal.tenantID, provider: provider, name: name, secret: Secret(body.secret))
            clients.invalidate(tenantID: principal.tenantID)
            let saved = try await store.credentials.credentials(tenantID: principal.tenantID).first { $0.provider == provider && $0.name == name }
            guard let saved else { throw APIError.internalError() }
            return try JSONBody.response(CredentialDTO(saved))
        }
        api.on(.delete, "credentials/:provider", .credentialsManage) { request, context, principal in
            let provider = try Self.provider(context)
            let name = request.uri.queryParameters.get("name") ?? "default"
            let existing = try await store.credentials.credentials(tenantID: principal.tenantID)
            guard existing.contains(where: { $0.provider == provider && $0.name == name }) else { throw APIError.notFound("credential") }
            try await store.credentials.deleteCredential(tenantID: principal.tenantID, provider: provider, name: name)
            clients.invalidate(tenantID: principal.tenantID)
            return Admin.noContent()
        }
    }

    /// The provider of the path (`moonshot`, `openai`, `anthropic`, ...).
    static func provider(_ context: AppRequestContext) throws -> String {
        let provider = try context.parameters.require("provider")
        try Admin.validateID(provider, field: "provider")
        return provider
    }
}
