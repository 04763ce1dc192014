import Foundation
import Testing

/// Reads the Swift source of the store's public API on data and checks that every public
/// method takes the tenant id (a `tenantID:` parameter, or a `lease:` that carries the job's
/// tenant and is matched in SQL), belongs to a type bound to one tenant (it has
/// `public let tenantID: String`, set by its initialiser), or is on the explicit list below
/// of super-admin and system operations.
@Suite("Tenant id required everywhere")
struct TenantSafetyTests {
    /// Methods allowed without a tenant id, each with the reason.
    static let superAdminAndSystem: [String: String] = [
        "TenantDirectory.createTenant": "super-admin: creates a tenant",
        "TenantDirectory.listTenants": "super-admin: lists tenants",
        "TenantDirectory.createUser": "super-admin / sign-up: users are not tenant rows",
        "TenantDirectory.user": "sign-in by e-mail, or the signed-in user by id: users are not tenant rows",
        "TenantDirectory.listUsers": "super-admin: users are not tenant rows",
        "APIKeyRepository.find": "authentication: the presented key names its tenant; writes nothing",
        "APIKeyRepository.hash": "pure function: hashes a presented key, reads no data",
        "RunRepository.submit": "the submission carries its tenant id (RunSubmission.tenantID), used in every statement",
        "UsageRepository.recordUsageBatch": "each record carries its tenant id, written into its ledger row and rollup key",
        "QuotaRepository.plan": "super-admin and billing: plans are global",
        "QuotaRepository.deletePlan": "super-admin: plans are global",
        "SwarmStore.listenForRunEvents": "live events: notices of every tenant, which the server filters by tenant id",
        "TenantDirectory.tenantsOfUser": "sign-in: which tenants a user may enter",
        "APIKeyRepository.authenticate": "authentication: the presented key names its tenant",
        "CredentialRepository.rotateAllCredentials": "super-admin: re-seals every tenant's credentials under the new master key",
        "ResponseCacheRepository.purgeExpiredResponses": "system maintenance",
        "QuotaRepository.savePlan": "super-admin: plans are global",
        "QuotaRepository.listPlans": "super-admin and billing: plans are global",
        "JobQueue.claim": "workers claim across tenants; the lease returned carries the job's tenant",
        "JobQueue.queueDepth": "system metrics: counts only",
        "JobQueue.expireLeases": "a restarted worker takes back its own leases, across tenants (its worker id scopes it)",
        "SwarmStore.migrate": "schema",
        "SwarmStore.openDatabase": "connection set-up",
        "SwarmStore.withStore": "connection set-up",
        "RetentionService.purge": "system maintenance: age-based deletion across tenants",
        "RetentionService.run": "Service.run",
        "QueueWorker.run": "Service.run",
        "TenantDirectory.credentials": "sign-in by e-mail: users are not tenant rows",
        "TenantDirectory.setPasswordHash": "a user's password: users are not tenant rows",
        "TenantDirectory.recordFailedLogin": "sign-in lock-out: users are not tenant rows",
        "TenantDirectory.recordSuccessfulLogin": "sign-in lock-out: users are not tenant rows",
        "WebSessionRepository.session": "authentication: the presented session token names its tenant",
        "WebSessionRepository.touch": "authentication: the presented session token names its tenant",
        "WebSessionRepository.delete": "sign-out: the presented session token names its tenant",
        "WebSessionRepository.deleteAll": "sign out everywhere: a user's sessions across tenants (password change)",
        "WebSessionRepository.purgeExpired": "system maintenance",
        "ResponseCacheRepository.countResponses": "system metrics: counts only",
        "InvitationRepository.invitations": "a person's own invitations across tenants: scoped by their user id (the tenant overload takes the tenant)",
        "InvitationRepository.accept": "the person accepts their own invitation: scoped by their user id",
        "InvitationRepository.decline": "the person declines their own invitation: scoped by their user id",
    ]

    static var sourceRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/KimiSwarmStore")
    }

    struct Method: CustomStringConvertible {
        var type: String
        var name: String
        var parameters: String
        var file: String
        var description: String { "\(type).\(name)(\(parameters)) in \(file)" }
    }

    /// The types that read or write the database: every public method of theirs is checked.
    static func isDataAccessType(_ name: String) -> Bool {
        name.hasSuffix("Repository") || ["TenantDirectory", "JobQueue", "SwarmStore", "StoreRunJournal", "RetentionService", "QueueWorker"].contains(name)
    }

    /// Every `public func` of the store's data-access files, with the enclosing type.
    static func publicMethods() throws -> (methods: [Method], tenantBoundTypes: Set<String>) {
        let folders = ["Repositories", "Queue", "Journal", "Services"]
        var files = try folders.flatMap { folder in
            try FileManager.default.contentsOfDirectory(atPath: sourceRoot.appendingPathComponent(folder).path)
                .filter { $0.hasSuffix(".swift") }.map { "\(folder)/\($0)" }
        }
        files.append("SwarmStore.swift")
        var methods: [Method] = []
        var bound: Set<String> = []
        for file in files {
            let text = try String(contentsOf: sourceRoot.appendingPathComponent(file), encoding: .utf8)
            var currentType = "?"
            var index = text.startIndex
            let typeRegex = /(?:struct|class|enum|extension)\s+([A-Za-z]+)/
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            var offset = text.startIndex
            var typeAt: [(String.Index, String)] = []
            for line in lines {
                if !line.hasPrefix(" ") && !line.hasPrefix("\t") && !line.hasPrefix("/"), let match = line.firstMatch(of: typeRegex) {
                    typeAt.append((offset, String(match.1)))
                }
                if line.contains("public let tenantID: String"), let last = typeAt.last { bound.insert(last.1) }
                offset = text.index(offset, offsetBy: line.count + 1, limitedBy: text.endIndex) ?? text.endIndex
            }
            while let match = text[index...].firstMatch(of: #/public (?:static )?func /#) {
                let range = match.range
                currentType = typeAt.last(where: { $0.0 <= range.lowerBound })?.1 ?? "?"
                let nameEnd = text[range.upperBound...].firstIndex(where: { $0 == "(" || $0 == "<" }) ?? text.endIndex
                let name = String(text[range.upperBound..<nameEnd])
                // The parameter list: from the first "(" to its matching ")".
                guard let open = text[nameEnd...].firstIndex(of: "(") else { break }
                var depth = 0
                var close = open
                for position in text[open...].indices {
                    if text[position] == "(" { depth += 1 }
                    if text[position] == ")" { depth -= 1 }
                    if depth == 0 {
                        close = position
                        break
                    }
                }
                let parameters = String(text[text.index(after: open)..<close])
                if isDataAccessType(currentType) {
                    methods.append(Method(type: currentType, name: name, parameters: parameters, file: file))
                }
                index = close
            }
        }
        return (methods, bound)
    }

    @Test("every public method on tenant data takes the tenant id")
    func everyMethodTakesTenantID() throws {
        let (methods, bound) = try Self.publicMethods()
        #expect(methods.count > 40, "the scan found too few methods: \(methods.count)")
        #expect(bound == ["StoreRunJournal"])
        var exemptSeen: Set<String> = []
        for method in methods {
            let key = "\(method.type).\(method.name)"
            let parameterNames = method.parameters.split(separator: ",").map { $0.split(separator: ":").first.map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? "" }
            let takesTenant = parameterNames.contains { $0 == "tenantID" || $0.hasSuffix(" tenantID") || $0 == "lease" || $0.hasSuffix(" lease") }
            if takesTenant || bound.contains(method.type) { continue }
            if Self.superAdminAndSystem[key] != nil {
                exemptSeen.insert(key)
                continue
            }
            Issue.record("\(method) takes no tenant id and is not on the super-admin/system list")
        }
        // The list stays honest: every entry names a method that exists.
        let missing = Set(Self.superAdminAndSystem.keys).subtracting(exemptSeen)
        #expect(missing.isEmpty, "listed but not found (remove them): \(missing.sorted())")
    }

    @Test("the scan sees parameters across lines")
    func scanSeesParameters() throws {
        let (methods, _) = try Self.publicMethods()
        let enqueue = try #require(methods.first { $0.type == "JobQueue" && $0.name == "enqueue" })
        #expect(enqueue.parameters.contains("tenantID: String"))
        #expect(enqueue.parameters.contains("maxAttempts"))
    }
}
