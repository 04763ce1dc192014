public import KimiSwarmCore
import Foundation
public import KimiSwarmStore
public import KimiSwarmPlatform
import Logging
import Synchronization

/// Session tokens issued by this server (`POST /api/v1/sessions`), HS256 with the key pinned.
///
/// A session of the person (made from single sign-on or another such session) acts with the
/// user's current membership, re-checked (cached briefly), so removing a member ends their
/// sessions. A session made from an API key acts with that key's role, never the user's, and
/// only while the key works: revoking or expiring the key ends it.
public struct SessionAuthenticator: Authenticator {
    let tokens: SessionTokens
    let memberships: MembershipCache
    let apiKeys: APIKeyAuthenticator

    public func authenticate(bearer token: String) async throws -> Principal? {
        guard token.split(separator: ".").count == 3, !token.hasPrefix("ks_") else { return nil }
        // Not ours (an OIDC token, say): let the next authenticator try.
        guard Self.unverifiedIssuer(of: token) == SessionTokens.issuer else { return nil }
        let claims: SessionClaims
        do {
            claims = try tokens.verify(token)
        } catch {
            let expired = error == .expired
            throw APIError.unauthenticated(
                expired ? "the session expired" : "the session token is not valid",
                hint: expired ? "Create a new session." : "Sign in again.")
        }
        if let keyID = claims.apiKeyID {
            guard let key = try await apiKeys.usableKey(tenantID: claims.tenantID, keyID: keyID), key.role.rawValue == claims.role else {
                throw APIError.unauthenticated(
                    "the API key this session was made from was revoked or expired", hint: "Create a new session with a working key.")
            }
            return Principal(tenantID: key.tenantID, role: key.role, userID: key.userID, apiKeyID: key.id, method: .session)
        }
        guard let role = try await memberships.role(tenantID: claims.tenantID, userID: claims.userID) else {
            throw APIError.unauthenticated("the session's user is no longer a member of the tenant", hint: "Sign in again.")
        }
        return Principal(tenantID: claims.tenantID, role: role, userID: claims.userID, method: .session, isPersonal: true)
    }

    /// The `iss` claim read without verifying anything, only to route the token.
    static func unverifiedIssuer(of token: String) -> String? {
        let parts = token.split(separator: ".")
        guard parts.count == 3 else { return nil }
        var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), data.count < 16_384,
            let object = try? JSONValue(parsing: data)
        else { return nil }
        return object["iss"]?.stringValue
    }
}

/// Tokens from the configured OIDC issuer (RS256/ES256, validated against its JWKS with the
/// algorithm pinned per key; issuer, audience and expiry checked). The user is found by the
/// token's `email` claim; the tenant is the `tenant` claim, or the user's only membership.
public struct OIDCAuthenticator: Authenticator {
    let provider: OIDCKeyProvider
    let store: SwarmStore
    let memberships: MembershipCache

    public func authenticate(bearer token: String) async throws -> Principal? {
        guard token.split(separator: ".").count == 3, !token.hasPrefix("ks_") else { return nil }
        let claims: JWTClaims
        do {
            claims = try await provider.verify(token)
        } catch let error as JWTError {
            throw APIError.unauthenticated("the token was refused: \(error.description)", hint: "Sign in with the identity provider again.")
        } catch {
            throw APIError.unavailable("the identity provider's keys could not be fetched", hint: "Retry shortly.")
        }
        guard let email = claims.raw["email"]?.stringValue, !email.isEmpty else {
            throw APIError.unauthenticated("the token has no `email` claim", hint: "Ask the identity provider to include the email scope.")
        }
        guard let user = try await store.directory.user(email: email) else {
            throw APIError.unauthenticated("no user with the token's email exists here", hint: "Ask a tenant admin to add you.")
        }
        let tenantID: String
        if let claimed = claims.raw["tenant"]?.stringValue {
            tenantID = claimed
        } else {
            let all = try await store.directory.tenantsOfUser(userID: user.id)
            guard all.count == 1, let only = all.first else {
                throw APIError.unauthenticated(
                    all.isEmpty ? "the user belongs to no tenant" : "the user belongs to several tenants and the token names none",
                    hint: "Add a `tenant` claim, or sign in with an API key.")
            }
            tenantID = only.tenantID
        }
        guard let role = try await memberships.role(tenantID: tenantID, userID: user.id) else {
            throw APIError.unauthenticated("the user is not a member of that tenant")
        }
        return Principal(tenantID: tenantID, role: role, userID: user.id, method: .oidc, isPersonal: true)
    }
}

/// Memberships by (tenant, user), cached for a few seconds.
public final class MembershipCache: Sendable {
    private let store: SwarmStore
    private let ttl: Duration
    private let clock: any SwarmClock
    private let entries = Mutex<[String: (role: Role?, at: Duration)]>([:])

    public init(store: SwarmStore, ttl: Duration = .seconds(10), clock: any SwarmClock = SystemClock()) {
        self.store = store
        self.ttl = ttl
        self.clock = clock
    }

    func role(tenantID: String, userID: String) async throws -> Role? {
        let key = tenantID + "\u{0}" + userID
        if let cached = entries.withLock({ $0[key] }), clock.now() - cached.at < ttl { return cached.role }
        let role = try await store.members.member(tenantID: tenantID, userID: userID)?.role
        entries.withLock { entries in
            if entries.count > 100_000 { entries.removeAll() }
            entries[key] = (role, clock.now())
        }
        return role
    }

    /// Forgets everything (after a membership changed).
    public func invalidateAll() { entries.withLock { $0.removeAll() } }
}

