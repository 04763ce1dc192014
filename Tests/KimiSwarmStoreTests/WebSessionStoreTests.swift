import Foundation
import KimiSwarmStore
import Testing

/// The store side of the dashboard's sign-in (migration 3): passwords, lock-out, sessions.
@Suite("Store: dashboard sign-in")
struct WebSessionStoreTests {
    @Test("a store migrated to version 2 upgrades with its users", arguments: TestDatabase.available)
    func upgradeFromVersion2(_ kind: TestDatabase) async throws {
        try await withFreshLocation(kind) { location in
            try await withStore(at: location, migrate: false) { store in
                let applied = try await Migrator(database: store.database, migrations: Array(Schema.migrations.prefix(2)), logger: testLogger)
                    .migrate()
                #expect(applied == [1, 2])
                try await store.database.query(
                    """
                    INSERT INTO users(id, email, display_name, is_super_admin, created_at)
                    VALUES ('u1', 'old@example.com', 'Old', 0, 1)
                    """)
            }
            try await withStore(at: location) { store in
                #expect(try await Migrator(database: store.database, logger: testLogger).appliedVersions() == Schema.migrations.map(\.version))
                let old = try #require(try await store.directory.credentials(email: "OLD@example.com"))
                #expect(old.user.id == "u1")
                #expect(old.passwordHash == nil)
                #expect(old.failedLogins == 0)
                #expect(old.lockedUntil == nil)
            }
        }
    }

    @Test("credentials by e-mail, matched case-insensitively", arguments: TestDatabase.available)
    func credentialsByEmail(_ kind: TestDatabase) async throws {
        try await withTestStore(kind) { store in
            let ada = try await store.directory.createUser(email: "Ada@Example.com", displayName: "Ada")
            _ = try await store.directory.createUser(email: "bob@example.com", displayName: "Bob")
            for email in ["ada@example.com", "ADA@EXAMPLE.COM", "Ada@Example.com"] {
                let found = try #require(try await store.directory.credentials(email: email), "not found: \(email)")
                #expect(found.user == ada)
                #expect(found.passwordHash == nil)
                #expect(found.failedLogins == 0)
                #expect(found.lockedUntil == nil)
            }
            #expect(try await store.directory.credentials(email: "ada@example.org") == nil)
            #expect(try await store.directory.credentials(email: "") == nil)

            let hash = try PasswordHasher(costLog2: 10).hash("s3cret-pass")
            try await store.directory.setPasswordHash(userID: ada.id, hash: hash)
            let withPassword = try #require(try await store.directory.credentials(email: "ada@EXAMPLE.com"))
            #expect(withPassword.passwordHash == hash)
            #expect(PasswordHasher(costLog2: 10).verify("s3cret-pass", against: try #require(withPassword.passwordHash)))
            // Bob is untouched.
            #expect(try await store.directory.credentials(email: "bob@example.com")?.passwordHash == nil)
            // Removing the password.
            try await store.directory.setPasswordHash(userID: ada.id, hash: nil)
            #expect(try await store.directory.credentials(email: "ada@example.com")?.passwordHash == nil)
            await #expect(throws: StoreError.self) { try await store.directory.setPasswordHash(userID: "nobody", hash: hash) }
        }
    }

    @Test("lock-out after the threshold returns the lock's end; success clears the count", arguments: TestDatabase.available)
    func lockOut(_ kind: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestStore(kind, clock: clock.storeClock) { store in
            let user = try await store.directory.createUser(email: "eve@example.com", displayName: "Eve")
            let directory = store.directory
            for expected in 1...2 {
                #expect(try await directory.recordFailedLogin(userID: user.id, threshold: 3, lockFor: .seconds(900)) == nil)
                #expect(try await directory.credentials(email: "eve@example.com")?.failedLogins == expected)
            }
            let lockEnd = try await directory.recordFailedLogin(userID: user.id, threshold: 3, lockFor: .seconds(900))
            #expect(lockEnd == clock.now.addingTimeInterval(900))
            var credentials = try #require(try await directory.credentials(email: "eve@example.com"))
            #expect(credentials.failedLogins == 0)
            #expect(credentials.lockedUntil == lockEnd)

            // A success while the lock still runs keeps the lock (the server refuses before verifying anyway).
            #expect(try await directory.recordFailedLogin(userID: user.id, threshold: 3, lockFor: .seconds(900)) == nil)
            try await directory.recordSuccessfulLogin(userID: user.id)
            credentials = try #require(try await directory.credentials(email: "eve@example.com"))
            #expect(credentials.failedLogins == 0)
            #expect(credentials.lockedUntil == lockEnd)

            // After the lock ends, a success clears it and the count.
            clock.advance(by: 901)
            #expect(try await directory.recordFailedLogin(userID: user.id, threshold: 3, lockFor: .seconds(900)) == nil)
            #expect(try await directory.credentials(email: "eve@example.com")?.failedLogins == 1)
            try await directory.recordSuccessfulLogin(userID: user.id)
            credentials = try #require(try await directory.credentials(email: "eve@example.com"))
            #expect(credentials.failedLogins == 0)
            #expect(credentials.lockedUntil == nil)

            // A password change clears the count and the lock too.
            _ = try await directory.recordFailedLogin(userID: user.id, threshold: 1, lockFor: .seconds(60))
            #expect(try await directory.credentials(email: "eve@example.com")?.lockedUntil != nil)
            try await directory.setPasswordHash(userID: user.id, hash: "scrypt$10$8$1$x$y")
            credentials = try #require(try await directory.credentials(email: "eve@example.com"))
            #expect(credentials.lockedUntil == nil)
            #expect(credentials.failedLogins == 0)

            await #expect(throws: StoreError.self) {
                try await directory.recordFailedLogin(userID: "nobody", threshold: 3, lockFor: .seconds(60))
            }
            await #expect(throws: StoreError.self) { try await directory.recordSuccessfulLogin(userID: "nobody") }
        }
    }

    @Test("concurrent failures each count once", arguments: TestDatabase.available)
    func concurrentFailures(_ kind: TestDatabase) async throws {
        try await withTestStore(kind) { store in
            let user = try await store.directory.createUser(email: "mallory@example.com", displayName: "M")
            let locks = try await withThrowingTaskGroup(of: Date?.self) { group in
                for _ in 0..<12 {
                    group.addTask { try await store.directory.recordFailedLogin(userID: user.id, threshold: 5, lockFor: .seconds(60)) }
                }
                var locks = 0
                for try await lock in group where lock != nil { locks += 1 }
                return locks
            }
            // 12 failures with a threshold of 5: locked twice, two left over.
            #expect(locks == 2)
            #expect(try await store.directory.credentials(email: "mallory@example.com")?.failedLogins == 2)
        }
    }

    @Test("a password change signs the user out everywhere, and only that user", arguments: TestDatabase.available)
    func passwordChangeDeletesSessions(_ kind: TestDatabase) async throws {
        try await withTestStore(kind) { store in
            let acme = try await store.directory.createTenant(name: "Acme")
            let other = try await store.directory.createTenant(name: "Other")
            let ada = try await store.directory.createUser(email: "ada@example.com", displayName: "Ada")
            let bob = try await store.directory.createUser(email: "bob@example.com", displayName: "Bob")
            let sessions = store.webSessions
            let adaOne = try await sessions.create(tenantID: acme.id, userID: ada.id, apiKeyID: nil, ttl: .seconds(3600))
            let adaTwo = try await sessions.create(tenantID: other.id, userID: ada.id, apiKeyID: nil, ttl: .seconds(3600))
            let bobs = try await sessions.create(tenantID: acme.id, userID: bob.id, apiKeyID: nil, ttl: .seconds(3600))
            let keyed = try await sessions.create(tenantID: acme.id, userID: nil, apiKeyID: "key-1", ttl: .seconds(3600))
            #expect(try await sessions.session(token: adaOne.token) != nil)
            #expect(try await sessions.session(token: adaTwo.token) != nil)

            try await store.directory.setPasswordHash(userID: ada.id, hash: try PasswordHasher(costLog2: 10).hash("new password"))
            #expect(try await sessions.session(token: adaOne.token) == nil)
            #expect(try await sessions.session(token: adaTwo.token) == nil)
            #expect(try await sessions.session(token: bobs.token) == bobs.session)
            #expect(try await sessions.session(token: keyed.token) == keyed.session)

            try await sessions.deleteAll(userID: bob.id)
            #expect(try await sessions.session(token: bobs.token) == nil)
            #expect(try await sessions.session(token: keyed.token) == keyed.session)
        }
    }

    @Test("sessions: create, look up, expire, touch (capped at max age), delete", arguments: TestDatabase.available)
    func sessionLifecycle(_ kind: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestStore(kind, clock: clock.storeClock) { store in
            let tenant = try await store.directory.createTenant(name: "Acme")
            let user = try await store.directory.createUser(email: "ada@example.com", displayName: "Ada")
            let sessions = store.webSessions
            let start = clock.now
            let created = try await sessions.create(tenantID: tenant.id, userID: user.id, apiKeyID: nil, ttl: .seconds(1800))

            // Tokens: 32 random bytes in base64url without padding; only the token's hash is stored.
            for token in [created.token, created.session.csrfToken] {
                #expect(token.count == 43)
                #expect(token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
            }
            #expect(created.token != created.session.csrfToken)
            let stored = try await store.database.query("SELECT id_hash FROM web_sessions").map { try $0.string("id_hash") }
            #expect(stored == [APIKeyRepository.hash(created.token)])

            #expect(created.session.tenantID == tenant.id)
            #expect(created.session.userID == user.id)
            #expect(created.session.apiKeyID == nil)
            #expect(created.session.createdAt == start)
            #expect(created.session.lastSeenAt == start)
            #expect(created.session.expiresAt == start.addingTimeInterval(1800))
            #expect(try await sessions.session(token: created.token) == created.session)
            #expect(try await sessions.session(token: created.session.csrfToken) == nil)
            #expect(try await sessions.session(token: "unknown") == nil)

            // Looking up does not extend; touching slides the expiry.
            clock.advance(by: 1000)
            #expect(try await sessions.session(token: created.token)?.expiresAt == start.addingTimeInterval(1800))
            try await sessions.touch(token: created.token, ttl: .seconds(1800), maxAge: .seconds(3600))
            var current = try #require(try await sessions.session(token: created.token))
            #expect(current.lastSeenAt == start.addingTimeInterval(1000))
            #expect(current.expiresAt == start.addingTimeInterval(2800))
            #expect(current.createdAt == start)

            // Sliding stops at createdAt + maxAge.
            clock.advance(by: 1500)
            try await sessions.touch(token: created.token, ttl: .seconds(1800), maxAge: .seconds(3600))
            current = try #require(try await sessions.session(token: created.token))
            #expect(current.lastSeenAt == start.addingTimeInterval(2500))
            #expect(current.expiresAt == start.addingTimeInterval(3600))

            // Expired at exactly expiresAt; touching does not revive it.
            clock.advance(by: 1100)
            #expect(try await sessions.session(token: created.token) == nil)
            try await sessions.touch(token: created.token, ttl: .seconds(1800), maxAge: .seconds(7200))
            #expect(try await sessions.session(token: created.token) == nil)

            // Sign-out.
            let second = try await sessions.create(tenantID: tenant.id, userID: nil, apiKeyID: "key-1", ttl: .seconds(60))
            #expect(try await sessions.session(token: second.token)?.apiKeyID == "key-1")
            #expect(try await sessions.session(token: second.token)?.userID == nil)
            try await sessions.delete(token: second.token)
            #expect(try await sessions.session(token: second.token) == nil)
            try await sessions.delete(token: second.token)
        }
    }

    @Test("setTenant switches the tenant; purge deletes expired sessions only", arguments: TestDatabase.available)
    func setTenantAndPurge(_ kind: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestStore(kind, clock: clock.storeClock) { store in
            let acme = try await store.directory.createTenant(name: "Acme")
            let other = try await store.directory.createTenant(name: "Other")
            let user = try await store.directory.createUser(email: "ada@example.com", displayName: "Ada")
            let sessions = store.webSessions
            let short = try await sessions.create(tenantID: acme.id, userID: user.id, apiKeyID: nil, ttl: .seconds(60))
            let long = try await sessions.create(tenantID: acme.id, userID: user.id, apiKeyID: nil, ttl: .seconds(600))

            try await sessions.setTenant(token: long.token, tenantID: other.id)
            #expect(try await sessions.session(token: long.token)?.tenantID == other.id)
            #expect(try await sessions.session(token: short.token)?.tenantID == acme.id)
            await #expect(throws: StoreError.self) { try await sessions.setTenant(token: "unknown", tenantID: other.id) }

            #expect(try await sessions.purgeExpired() == 0)
            clock.advance(by: 60)
            await #expect(throws: StoreError.self) { try await sessions.setTenant(token: short.token, tenantID: other.id) }
            #expect(try await sessions.purgeExpired() == 1)
            #expect(try await sessions.purgeExpired() == 0)
            #expect(try await store.database.query("SELECT id_hash FROM web_sessions").count == 1)
            #expect(try await sessions.session(token: long.token) != nil)

            // The retention pass purges them too.
            clock.advance(by: 600)
            let report = try await RetentionService.purge(
                store: store, policy: RetentionPolicy(runEvents: nil, journal: nil, ledger: nil, finishedJobs: nil))
            #expect(report.webSessions == 1)
            #expect(try await store.database.query("SELECT id_hash FROM web_sessions").isEmpty)
        }
    }

    @Test("a deleted tenant's sessions disappear with it", arguments: TestDatabase.available)
    func tenantCascade(_ kind: TestDatabase) async throws {
        try await withTestStore(kind) { store in
            let doomed = try await store.directory.createTenant(name: "Doomed")
            let kept = try await store.directory.createTenant(name: "Kept")
            let user = try await store.directory.createUser(email: "ada@example.com", displayName: "Ada")
            let sessions = store.webSessions
            let gone = try await sessions.create(tenantID: doomed.id, userID: user.id, apiKeyID: nil, ttl: .seconds(3600))
            let keyed = try await sessions.create(tenantID: doomed.id, userID: nil, apiKeyID: "k", ttl: .seconds(3600))
            let stays = try await sessions.create(tenantID: kept.id, userID: user.id, apiKeyID: nil, ttl: .seconds(3600))
            try await store.directory.deleteTenant(tenantID: doomed.id)
            #expect(try await sessions.session(token: gone.token) == nil)
            #expect(try await sessions.session(token: keyed.token) == nil)
            #expect(try await sessions.session(token: stays.token) == stays.session)
            #expect(try await store.database.query("SELECT id_hash FROM web_sessions").count == 1)
            // A session cannot name a tenant that does not exist.
            await #expect(throws: (any Error).self) {
                try await sessions.create(tenantID: doomed.id, userID: nil, apiKeyID: "k", ttl: .seconds(60))
            }
        }
    }
}
