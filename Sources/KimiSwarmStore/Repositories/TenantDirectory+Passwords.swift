public import Foundation

/// Users' passwords and lock-out, for the dashboard's sign-in. Users are not tenant rows, so
/// these methods are on the sign-in list of the tenant-safety test.
extension TenantDirectory {
    /// The user with this e-mail (matched case-insensitively) with what sign-in checks, or `nil`.
    public func credentials(email: String) async throws -> UserCredentials? {
        try await context.database.first(
            "SELECT * FROM users WHERE lower(email) = \(email.lowercased()) ORDER BY created_at, id LIMIT 1"
        ).map(Self.credentials)
    }

    /// Sets (or, with `nil`, removes) a user's password hash; resets the failure count and any
    /// lock, records the change time, and deletes the user's web sessions (a password change
    /// signs out everywhere).
    public func setPasswordHash(userID: String, hash: String?) async throws {
        let now = context.now
        try await context.database.transaction { tx in
            let rows = try await tx.query(
                """
                UPDATE users SET password_hash = \(hash), failed_logins = 0, locked_until = NULL, password_changed_at = \(now)
                WHERE id = \(userID) RETURNING id
                """)
            if rows.isEmpty { throw StoreError.notFound("user") }
            try await tx.query("DELETE FROM web_sessions WHERE user_id = \(userID)")
        }
    }

    /// Counts a failed sign-in; when the count reaches `threshold`, locks the account until now + `lockFor` and resets the count. Returns the lock's end when this failure locked it.
    ///
    /// One `UPDATE ... RETURNING`, so concurrent failures each count once.
    public func recordFailedLogin(userID: String, threshold: Int, lockFor: Duration) async throws -> Date? {
        guard threshold >= 1 else { throw StoreError.invalidArgument("the lock-out threshold must be at least 1") }
        let lockEnd = Date(millisecondsSince1970: context.now.addingTimeInterval(lockFor.seconds).millisecondsSince1970)
        let row = try await context.database.first(
            """
            UPDATE users SET
                failed_logins = CASE WHEN failed_logins + 1 >= \(threshold) THEN 0 ELSE failed_logins + 1 END,
                locked_until = CASE WHEN failed_logins + 1 >= \(threshold) THEN \(lockEnd) ELSE locked_until END
            WHERE id = \(userID) RETURNING failed_logins
            """)
        guard let row else { throw StoreError.notFound("user") }
        // The count only returns to 0 when this failure reached the threshold.
        return try row.int("failed_logins") == 0 ? lockEnd : nil
    }

    /// Clears the failure count and any expired lock after a successful sign-in.
    public func recordSuccessfulLogin(userID: String) async throws {
        let now = context.now
        let rows = try await context.database.query(
            """
            UPDATE users SET failed_logins = 0,
                locked_until = CASE WHEN locked_until <= \(now) THEN NULL ELSE locked_until END
            WHERE id = \(userID) RETURNING id
            """)
        if rows.isEmpty { throw StoreError.notFound("user") }
    }

    static func credentials(_ row: SQLRow) throws -> UserCredentials {
        UserCredentials(
            user: try user(row), passwordHash: try row.optionalString("password_hash"),
            failedLogins: try row.int("failed_logins"), lockedUntil: try row.optionalDate("locked_until"))
    }
}
