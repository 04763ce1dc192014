import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOHTTP1
import KimiSwarmServer
import KimiSwarmStore
import Testing

/// Every route of the built server's ``RouteTable`` × every role × the caller's own tenant and
/// a foreign tenant: a role without the route's permission gets 403; with it, never 401/403;
/// another tenant's id in the path answers 404 exactly like a missing one. One server per
/// database serves the whole matrix.
@Suite("RoleMatrix")
struct RoleMatrixTests {
    /// Path parameters whose values belong to a tenant (another tenant's must answer 404).
    static let tenantOwned: Set<String> = ["id", "user_id", "key_id", "template_id"]

    @Test("every route × every role × own and foreign ids", arguments: TestDatabase.available)
    func matrix(_ database: TestDatabase) async throws {
        try await withTestServer(database, workers: 0) { server in
            let store = server.store
            let own = try await server.tenant(role: .tenantAdmin)
            var keys: [Role: String] = [:]
            for role in Role.allCases { keys[role] = try await server.key(in: own.tenantID, role: role) }

            // A foreign tenant with one of everything a path can name.
            let foreign = try await server.tenant(role: .tenantAdmin)
            let user = try await store.directory.createUser(email: "foreign-\(UUID().uuidString.prefix(8))@example.com", displayName: "Foreign")
            try await store.members.setMember(tenantID: foreign.tenantID, userID: user.id, role: .viewer)
            let foreignKey = try await store.apiKeys.createKey(tenantID: foreign.tenantID, name: "foreign", role: .viewer)
            try await store.templates.saveTemplate(tenantID: foreign.tenantID, id: "foreign-template", name: "Foreign", definition: "id: foreign-template")
            let run = try await store.runs.createRun(tenantID: foreign.tenantID, task: "foreign task")
            let foreignIDs: [String: String] = ["id": run.id, "user_id": user.id, "key_id": foreignKey.key.id, "template_id": "foreign-template"]

            let routes = server.parts.routes.all
            #expect(routes.count >= 40, "the route table looks incomplete: \(routes.count) routes")
            var checked = 0
            for route in routes {
                let method = HTTPMethod(rawValue: route.method.rawValue)
                let body = ["POST", "PUT", "PATCH"].contains(route.method.rawValue) ? "{}" : nil
                let parameters = Self.parameters(route.path)
                guard let permission = route.permission else {
                    let response = try await server.request(method, route.path)
                    #expect(![401, 403].contains(response.status), "public \(route.method.rawValue) \(route.path) answered \(response.status)")
                    continue
                }
                for role in Role.allCases {
                    let allowed = permission.roles.contains(role)
                    let key = try #require(keys[role])
                    // Own tenant (ids that do not exist: nothing is changed, and the answer is never 401/403).
                    let ownPath = Self.fill(route.path) { _ in "nonexistent-\(role.rawValue)" }
                    let response = try await server.request(method, ownPath, key: key, body: body)
                    let label = "\(role.rawValue) \(route.method.rawValue) \(ownPath)"
                    if allowed {
                        #expect(![401, 403].contains(response.status), "\(label) answered \(response.status): \(response.body)")
                    } else {
                        #expect(response.status == 403 && response.errorType == "permission_denied", "\(label) answered \(response.status)")
                    }
                    checked += 1

                    // Foreign tenant's ids.
                    guard !parameters.isEmpty else { continue }
                    if parameters.contains("tenant_id") {
                        // Tenants are the super admin's: any tenant is theirs to see. A fresh one per
                        // request, so that a DELETE or PATCH harms nothing the matrix uses.
                        var target = foreign.tenantID
                        if route.method != .get { target = try await store.directory.createTenant(name: "victim").id }
                        let path = Self.fill(route.path) { _ in target }
                        let answer = try await server.request(method, path, key: key, body: body)
                        if allowed {
                            #expect(![401, 403, 404].contains(answer.status), "\(role.rawValue) \(route.method.rawValue) \(path) answered \(answer.status)")
                        } else {
                            #expect(answer.status == 403, "\(role.rawValue) \(route.method.rawValue) \(path) answered \(answer.status)")
                        }
                    } else if parameters.allSatisfy(Self.tenantOwned.contains) {
                        let path = Self.fill(route.path) { foreignIDs[$0] ?? "missing" }
                        let answer = try await server.request(method, path, key: key, body: body)
                        let expected = allowed ? 404 : 403
                        #expect(answer.status == expected, "\(role.rawValue) \(route.method.rawValue) \(path) answered \(answer.status), expected \(expected)")
                    }
                    checked += 1
                }
            }
            #expect(checked > 200)
            // Nothing of the foreign tenant changed.
            #expect(try await store.members.member(tenantID: foreign.tenantID, userID: user.id)?.role == .viewer)
            #expect(try await store.apiKeys.key(tenantID: foreign.tenantID, keyID: foreignKey.key.id)?.revokedAt == nil)
            #expect(try await store.templates.template(tenantID: foreign.tenantID, templateID: "foreign-template") != nil)
            #expect(try await store.runs.run(tenantID: foreign.tenantID, runID: run.id)?.status == .queued)
        }
    }

    /// The `{name}` parameters of a path.
    static func parameters(_ path: String) -> [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
    }

    /// The path with each `{name}` replaced.
    static func fill(_ path: String, _ value: (String) -> String) -> String {
        "/" + path.split(separator: "/").map { part in
            part.hasPrefix("{") ? value(String(part.dropFirst().dropLast())) : String(part)
        }.joined(separator: "/")
    }
}
