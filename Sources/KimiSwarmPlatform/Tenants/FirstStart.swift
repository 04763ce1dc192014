import Foundation
public import KimiSwarmCore
public import KimiSwarmStore
public import Logging

/// What the first start of a server creates: a default tenant (on the `unlimited` plan until
/// an admin sets one), a super admin user, and their API key, printed once, or the operator's
/// own key from `KIMISWARM_ADMIN_KEY`.
public enum FirstStart {
    /// The id of the tenant created on first start.
    public static let defaultTenantID = "default"
    /// The super admin's e-mail.
    public static let adminEmail = "admin@localhost"

    /// What happened.
    public struct Outcome: Sendable {
        /// The new admin key, to print once (`nil` when nothing was created or the key was given).
        public var createdKey: String?
        /// Whether the default tenant and admin were created now.
        public var initialised: Bool
    }

    /// Checks an operator-chosen admin password: 10 to 1024 bytes.
    public static func validate(adminPassword: String) throws(KimiSwarmError) {
        guard adminPassword.count >= 10, adminPassword.utf8.count <= 1024 else {
            throw KimiSwarmError.configuration(
                "KIMISWARM_ADMIN_PASSWORD must have 10 to 1024 characters", hint: "Choose a longer passphrase.")
        }
    }

    /// Checks an operator-chosen admin key: `ks_` and at least 32 characters.
    public static func validate(adminKey: String) throws(KimiSwarmError) {
        guard adminKey.hasPrefix("ks_"), adminKey.count >= 32, adminKey.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
            throw KimiSwarmError.configuration(
                "KIMISWARM_ADMIN_KEY must start with `ks_` and have at least 32 letters, digits, `_` or `-`",
                hint: "Generate one: echo ks_$(openssl rand -hex 24)")
        }
    }

    /// Creates the default tenant and super admin when the store has no tenant yet; stores the
    /// operator's key when given (also on later starts, so a key can be set after the fact).
    /// `adminPassword` (`KIMISWARM_ADMIN_PASSWORD`) becomes the super admin's dashboard
    /// password when they have none yet.
    public static func ensure(
        store: SwarmStore, adminKey: Secret?, adminPassword: Secret? = nil, passwordCost: Int = 17, logger: Logger
    ) async throws -> Outcome {
        var outcome = Outcome(createdKey: nil, initialised: false)
        let tenants = try await store.directory.listTenants()
        var tenantID = tenants.first(where: { $0.id == defaultTenantID })?.id ?? tenants.first?.id
        var adminID: String?
        if tenants.isEmpty {
            let plan = try await store.quotas.plan(id: "unlimited") != nil ? "unlimited" : nil
            do {
                let tenant = try await store.directory.createTenant(name: "Default", id: defaultTenantID, planID: plan)
                tenantID = tenant.id
                var existing = try await store.directory.user(email: adminEmail)
                if existing == nil {
                    existing = try await store.directory.createUser(email: adminEmail, displayName: "Administrator", isSuperAdmin: true)
                }
                guard let user = existing else { throw StoreError.notFound("user") }
                adminID = user.id
                try await store.members.setMember(tenantID: tenant.id, userID: user.id, role: .superAdmin)
                outcome.initialised = true
                if adminKey == nil {
                    let created = try await store.apiKeys.createKey(tenantID: tenant.id, name: "first admin key", role: .superAdmin, userID: user.id)
                    outcome.createdKey = created.plaintext
                }
                logger.notice("first start: created the default tenant and its super admin")
            } catch let error as StoreError where error.isConflict {
                // Another replica initialised the store at the same moment.
                tenantID = defaultTenantID
            }
        }
        if let adminKey, let tenantID {
            if adminID == nil { adminID = try await store.directory.user(email: adminEmail)?.id }
            try await store.apiKeys.importKey(
                tenantID: tenantID, name: "KIMISWARM_ADMIN_KEY", role: .superAdmin, userID: adminID, plaintext: adminKey.reveal())
        }
        if let adminPassword, let credentials = try await store.directory.credentials(email: adminEmail), credentials.passwordHash == nil {
            let hash = try PasswordHasher(costLog2: passwordCost).hash(adminPassword.reveal())
            try await store.directory.setPasswordHash(userID: credentials.user.id, hash: hash)
            logger.notice("set the super admin's dashboard password from KIMISWARM_ADMIN_PASSWORD")
        }
        return outcome
    }
}
