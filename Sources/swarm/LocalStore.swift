import Foundation
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmPlatform
import KimiSwarmStore
import Logging

/// The command line's storage: one ``SwarmStore`` on the SQLite file `kimiswarm.sqlite` in the
/// data directory (`--data-dir`, else `server.data_dir`, default `./.kimiswarm`), the same file
/// `swarm serve` uses by default. `swarm run` keeps its journal there and `swarm run` and
/// `swarm chat` keep the response cache's persistent tier (L2) there, so a run resumes in
/// another process and a repeated question is answered from the cache.
enum LocalStore {
    /// The owner of the command line's journal rows: a name no tenant id can have (tenant ids
    /// have no `:`), so a server on the same file never sees them as a tenant's.
    static let journalOwner = "scope:local"

    /// The database file in `folder`.
    static func path(dataDirectory folder: String) -> String {
        (folder as NSString).appendingPathComponent("kimiswarm.sqlite")
    }

    /// Loads the command's context and, when `required` or when the configuration keeps a
    /// persistent cache tier, opens the store in the data directory; runs `body` with a
    /// context whose client keeps its persistent cache tier in the store, then closes it.
    /// Without a store (`required` false, cache off or not persistent) nothing is created on disk.
    static func withContext<T>(
        _ options: GlobalOptions, dataDirectory: String?, required: Bool,
        _ body: (CommandContext, SwarmStore?) async throws -> T
    ) async throws -> T {
        let base = try await CommandContext.load(options)
        let cache = base.configuration.cache
        guard required || (cache.enabled && cache.persistent) else { return try await body(base, nil) }
        let path = path(dataDirectory: dataDirectory ?? base.configuration.server.dataDirectory)
        let store = try await open(path: path, context: base)
        let client = LLMClient.make(
            configuration: base.configuration, registry: base.registry, logger: base.logger,
            persistentStore: DatabaseResponseCache(store: store))
        let context = CommandContext(configuration: base.configuration, registry: base.registry, client: client, logger: base.logger)
        do {
            let result = try await body(context, store)
            try? await store.database.close()
            return result
        } catch {
            try? await store.database.close()
            throw error
        }
    }

    /// Opens and migrates the store at `path`; failures become a configuration error that names
    /// the file (never the underlying driver's text, which may quote SQL).
    private static func open(path: String, context: CommandContext) async throws -> SwarmStore {
        let failure = KimiSwarmError.configuration(
            "cannot open the database '\(path)'",
            hint: "Check that the data directory (--data-dir or server.data_dir) is writable, or set KIMI_CACHE__PERSISTENT=false for chat.")
        let database: SQLiteDatabase
        do {
            database = try await SQLiteDatabase.open(path: path, logger: context.logger)
        } catch {
            context.logger.debug("opening the database failed", metadata: ["error": "\(error)"])
            throw failure
        }
        let store = SwarmStore(database: database, logger: context.logger)
        do {
            try await store.migrate()
        } catch {
            try? await database.close()
            context.logger.debug("migrating the database failed", metadata: ["error": "\(error)"])
            throw failure
        }
        return store
    }
}
