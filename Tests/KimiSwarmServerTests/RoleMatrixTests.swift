import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOHTTP1
import KimiSwarmCore
@testable import KimiSwarmPlatform
import KimiSwarmServer
import KimiSwarmStore
import Testing

/// Every route of the built server's ``RouteTable`` × every role × the caller's own tenant and
/// a foreign tenant, once with an API key of the role and once with a session made from that
/// key: a role without the route's permission gets 403; with it, never 401/403; another
/// tenant's id in the path answers 404 exactly like a missing one. Every key belongs to a user
/// who is a super admin of the tenant, so a credential that acted with its user's authority
/// instead of its own role would show at once. Routes of the person's account (password,
/// invitations) refuse keys and their sessions alike. One server per database serves the
/// whole matrix.
@Suite("RoleMatrix")
struct RoleMatrixTests {
    /// Path parameters whose values belong to a tenant (another tenant's must answer 404).
    static let tenantOwned: Set<String> = ["id", "user_id", "key_id", "template_id", "invitation_id"]

    @Test("every route × every role × key and key session × own and foreign ids", arguments: TestDatabase.available)
    func matrix(_ database: TestDatabase) async throws {
        let secret = String(repeating: "m", count: 40)
        try await withTestServer(database, workers: 0, configure: { $0.sessionSecret = Secret(secret) }) { server in
            let store = server.store
            let own = try await server.tenant(role: .tenantAdmin)
            // The keys' owner is a super admin of the tenant: no key may act with that authority.
            let owner = try await store.directory.createUser(email: "owner-\(UUID().uuidString.prefix(8))@example.com", displayName: "Owner")
            try await store.members.setMember(tenantID: own.tenantID, userID: owner.id, role: .superAdmin)
            var credentials: [(role: Role, kind: String, token: String)] = []
            for role in Role.allCases {
                let key = try await store.apiKeys.createKey(tenantID: own.tenantID, name: "\(role.rawValue) key", role: role, userID: owner.id)
                credentials.append((role, "key", key.plaintext))
                let session = try await server.request(.POST, "/api/v1/sessions", key: key.plaintext)
                #expect(session.status == 201 && session.json?["role"]?.stringValue == role.rawValue, "\(role.rawValue) session: \(session.body)")
                #expect(session.json?["personal"]?.boolValue == false)
                credentials.append((role, "key session", try #require(session.json?["token"]?.stringValue)))
            }

            // A foreign tenant with one of everything a path can name.
            let foreign = try await server.tenant(role: .tenantAdmin)
            let user = try await store.directory.createUser(email: "foreign-\(UUID().uuidString.prefix(8))@example.com", displayName: "Foreign")
            try await store.members.setMember(tenantID: foreign.tenantID, userID: user.id, role: .viewer)
            let foreignKey = try await store.apiKeys.createKey(tenantID: foreign.tenantID, name: "foreign", role: .viewer)
            try await store.templates.saveTemplate(tenantID: foreign.tenantID, id: "foreign-template", name: "Foreign", definition: "id: foreign-template")
            let run = try await store.runs.submitTestRun(tenantID: foreign.tenantID, task: "foreign task")
            let invitation = try await store.invitations.invite(tenantID: foreign.tenantID, userID: owner.id, role: .viewer, invitedBy: nil)
            let foreignIDs: [String: String] = [
                "id": run.id, "user_id": user.id, "key_id": foreignKey.key.id, "template_id": "foreign-template", "invitation_id": invitation.id,
            ]

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
                for (role, kind, token) in credentials {
                    // Keys and their sessions are never the person: account routes refuse them.
                    let allowed = permission.roles.contains(role) && permission != .account
                    // Own tenant (ids that do not exist: nothing is changed, and the answer is never
                    // 401/403); a tenant id is the caller's own tenant.
                    let ownPath = Self.fill(route.path) { name in name == "tenant_id" ? own.tenantID : "nonexistent-\(role.rawValue)" }
                    let label = "\(role.rawValue) \(kind) \(route.method.rawValue) \(ownPath)"
                    // (A super admin deleting its own home tenant gets a 409: the matrix's tenant stays.)
                    let response = try await server.request(method, ownPath, key: token, body: body)
                    if allowed {
                        #expect(![401, 403].contains(response.status), "\(label) answered \(response.status): \(response.body)")
                    } else {
                        #expect(response.status == 403 && response.errorType == "permission_denied", "\(label) answered \(response.status)")
                    }
                    checked += 1

                    // Foreign tenant's ids.
                    guard !parameters.isEmpty else { continue }
                    if parameters.contains("tenant_id") {
                        // Tenants are the super admin's: any tenant is theirs to see; to everyone else
                        // another tenant answers 404, like one that does not exist. A fresh one per
                        // request, so that a DELETE or PATCH harms nothing the matrix uses.
                        var target = foreign.tenantID
                        if route.method != .get { target = try await store.directory.createTenant(name: "victim").id }
                        let path = Self.fill(route.path) { _ in target }
                        let answer = try await server.request(method, path, key: token, body: body)
                        let missing = try await server.request(method, Self.fill(route.path) { _ in "no-such-tenant" }, key: token, body: body)
                        if role == .superAdmin {
                            #expect(![401, 403, 404].contains(answer.status), "\(role.rawValue) \(kind) \(route.method.rawValue) \(path) answered \(answer.status)")
                        } else {
                            #expect(answer.status == 404, "\(role.rawValue) \(kind) \(route.method.rawValue) \(path) answered \(answer.status)")
                            #expect(answer.body.replacingOccurrences(of: #""request_id":"[^"]*""#, with: "", options: .regularExpression)
                                == missing.body.replacingOccurrences(of: #""request_id":"[^"]*""#, with: "", options: .regularExpression))
                        }
                    } else if parameters.allSatisfy(Self.tenantOwned.contains) {
                        let path = Self.fill(route.path) { foreignIDs[$0] ?? "missing" }
                        let answer = try await server.request(method, path, key: token, body: body)
                        let expected = allowed ? 404 : 403
                        #expect(answer.status == expected, "\(role.rawValue) \(kind) \(route.method.rawValue) \(path) answered \(answer.status), expected \(expected)")
                    }
                    checked += 1
                }
            }
            #expect(checked > 400)
            // Nothing of the foreign tenant changed, and the owner's account was not touched.
            #expect(try await store.members.member(tenantID: foreign.tenantID, userID: user.id)?.role == .viewer)
            #expect(try await store.apiKeys.key(tenantID: foreign.tenantID, keyID: foreignKey.key.id)?.revokedAt == nil)
            #expect(try await store.templates.template(tenantID: foreign.tenantID, templateID: "foreign-template") != nil)
            #expect(try await store.runs.run(tenantID: foreign.tenantID, runID: run.id)?.status == .queued)
            #expect(try await store.directory.credentials(email: owner.email)?.passwordHash == nil)
            #expect(try await store.members.member(tenantID: foreign.tenantID, userID: owner.id) == nil)
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
