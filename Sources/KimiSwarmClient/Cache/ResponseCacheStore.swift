public import Foundation

/// The persistent tier (L2) of the response cache: where entries survive a restart and are
/// shared between processes. The client opens no database itself: the platform's
/// `DatabaseResponseCache` keeps the entries in the store (SQLite or PostgreSQL), and tests may
/// plug in anything that implements this protocol.
///
/// Entries are addressed by key *and* scope: an implementation must return an entry only when
/// both match, so that two scopes never share an entry, even on a hash collision.
///
/// Expiry is wall-clock time (`Date`, stored as seconds since 1970), not the monotonic clock
/// the in-memory tier uses: monotonic time starts anew with every process, so it cannot say
/// when an entry written by an earlier process expires. Callers pass `now` explicitly, which
/// keeps implementations free of clocks and tests exact.
public protocol ResponseCacheStore: Sendable {
    /// The entry of `key` in `scope` if it has not expired at `now` (`expiresAt > now`).
    func get(key: CacheKey, scope: String, now: Date) async throws -> StoredResponse?

    /// Inserts `entry`, replacing any entry of the same key.
    func put(_ entry: StoredResponse) async throws

    /// Removes the entry of `key` in `scope`, if any.
    func remove(key: CacheKey, scope: String) async throws

    /// Removes every entry that has expired at `now`; returns how many.
    @discardableResult
    func removeExpired(now: Date) async throws -> Int

    /// The number of entries stored, expired ones not yet removed included.
    func count() async throws -> Int
}
