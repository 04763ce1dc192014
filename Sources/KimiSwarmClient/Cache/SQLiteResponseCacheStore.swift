public import Foundation
public import KimiSwarmCore
public import Logging
import NIOCore
import SQLiteNIO
import Synchronization

/// The embedded persistent tier: a SQLite file (by default `./.kimiswarm/cache.sqlite`).
///
/// The file is opened in WAL mode with a busy timeout, so several processes can open the same
/// file and read while one writes. Every statement binds its values as parameters; no SQL is
/// ever built from data. Close the store with ``close()``, or use ``withStore(path:logger:_:)``,
/// which closes it for you.
///
/// ```sql
/// CREATE TABLE response_cache(key TEXT PRIMARY KEY, scope TEXT NOT NULL, provider TEXT,
///     model TEXT, created_at REAL, expires_at REAL, body BLOB)
/// ```
/// `created_at` and `expires_at` are seconds since 1970 (wall clock; see ``ResponseCacheStore``).
public final class SQLiteResponseCacheStore: ResponseCacheStore {
    /// The file the store uses.
    public let path: String
    private let connection: SQLiteConnection
    private let closed = Mutex(false)

    private init(path: String, connection: SQLiteConnection) {
        self.path = path
        self.connection = connection
    }

    /// Opens (and creates, with its folder, when missing) the cache file at `path`.
    public static func open(
        path: String = CacheSettings.defaultPath,
        logger: Logger = Logger(label: "kimiswarm.cache", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> SQLiteResponseCacheStore {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        do {
            // The busy timeout comes first: a second process may hold the lock while it
            // switches the file to WAL or creates the table.
            _ = try await connection.query("PRAGMA busy_timeout = 5000")
            _ = try await connection.query("PRAGMA journal_mode = WAL")
            _ = try await connection.query("PRAGMA synchronous = NORMAL")
            _ = try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS response_cache(
                    key TEXT PRIMARY KEY, scope TEXT NOT NULL, provider TEXT, model TEXT,
                    created_at REAL, expires_at REAL, body BLOB)
                """)
            _ = try await connection.query(
                "CREATE INDEX IF NOT EXISTS response_cache_expires_at ON response_cache(expires_at)")
        } catch {
            try? await connection.close()
            throw error
        }
        return SQLiteResponseCacheStore(path: path, connection: connection)
    }

    /// Opens the store, runs `body` with it and closes it, also when `body` throws.
    public static func withStore<T: Sendable>(
        path: String = CacheSettings.defaultPath,
        logger: Logger = Logger(label: "kimiswarm.cache", factory: { _ in SwiftLogNoOpLogHandler() }),
        isolation: isolated (any Actor)? = #isolation,
        _ body: (SQLiteResponseCacheStore) async throws -> T
    ) async throws -> T {
        let store = try await open(path: path, logger: logger)
        let result: T
        do {
            result = try await body(store)
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
        return result
    }

    /// Closes the file. Later calls of the store throw; closing twice is harmless.
    public func close() async throws {
        let wasClosed = closed.withLock { closed -> Bool in
            defer { closed = true }
            return closed
        }
        guard !wasClosed else { return }
        try await connection.close()
    }

    public func get(key: CacheKey, scope: String, now: Date) async throws -> StoredResponse? {
        let rows = try await query(
            """
            SELECT key, scope, provider, model, created_at, expires_at, body FROM response_cache
            WHERE key = ?1 AND scope = ?2 AND expires_at > ?3
            """,
            [.text(key.hex), .text(scope), .float(now.timeIntervalSince1970)])
        guard let row = rows.first, let body = row.column("body")?.blob else { return nil }
        return StoredResponse(
            key: CacheKey(hex: row.column("key")?.string ?? key.hex),
            scope: row.column("scope")?.string ?? scope,
            provider: ProviderID(row.column("provider")?.string ?? ""),
            model: row.column("model")?.string ?? "",
            createdAt: Date(timeIntervalSince1970: row.column("created_at")?.double ?? 0),
            expiresAt: Date(timeIntervalSince1970: row.column("expires_at")?.double ?? 0),
            body: Data(body.readableBytesView))
    }

    public func put(_ entry: StoredResponse) async throws {
        _ = try await query(
            """
            INSERT OR REPLACE INTO response_cache(key, scope, provider, model, created_at, expires_at, body)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            """,
            [
                .text(entry.key.hex), .text(entry.scope), .text(entry.provider.rawValue), .text(entry.model),
                .float(entry.createdAt.timeIntervalSince1970), .float(entry.expiresAt.timeIntervalSince1970),
                .blob(ByteBuffer(bytes: entry.body)),
            ])
    }

    public func remove(key: CacheKey, scope: String) async throws {
        _ = try await query("DELETE FROM response_cache WHERE key = ?1 AND scope = ?2", [.text(key.hex), .text(scope)])
    }

    @discardableResult
    public func removeExpired(now: Date) async throws -> Int {
        let rows = try await query(
            "DELETE FROM response_cache WHERE expires_at <= ?1 RETURNING key", [.float(now.timeIntervalSince1970)])
        return rows.count
    }

    public func count() async throws -> Int {
        let rows = try await query("SELECT COUNT(*) AS n FROM response_cache", [])
        return rows.first?.column("n")?.integer.map { Int($0) } ?? 0
    }

    private func query(_ sql: String, _ binds: [SQLiteData]) async throws -> [SQLiteRow] {
        guard !closed.withLock({ $0 }) else {
            throw KimiSwarmError(
                category: .internal, message: "the response cache store is closed",
                recoveryHint: "Open the store again; it was closed before this call.")
        }
        return try await connection.query(sql, binds)
    }
}
