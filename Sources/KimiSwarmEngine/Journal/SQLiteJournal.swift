public import Foundation
public import KimiSwarmCore
public import Logging
import NIOCore
import SQLiteNIO
import Synchronization

/// A journal in a SQLite file (WAL mode), so a run killed in one process resumes in another.
///
/// One row per step, keyed `(run_id, step_id)`; `INSERT OR IGNORE` keeps the first record of
/// a step. Costs are stored as decimal text, never as floating point.
public final class SQLiteJournal: RunJournal {
    /// The database file.
    public let path: String
    private let connection: SQLiteConnection
    private let closed = Mutex(false)

    private init(path: String, connection: SQLiteConnection) {
        self.path = path
        self.connection = connection
    }

    /// Opens (creating when needed) the journal at `path`.
    public static func open(
        path: String,
        logger: Logger = Logger(label: "kimiswarm.journal", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> SQLiteJournal {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        do {
            _ = try await connection.query("PRAGMA busy_timeout = 5000")
            _ = try await connection.query("PRAGMA journal_mode = WAL")
            _ = try await connection.query("PRAGMA synchronous = NORMAL")
            _ = try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS run_journal(
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id TEXT NOT NULL, step_id TEXT NOT NULL, kind TEXT NOT NULL,
                    payload TEXT NOT NULL, usage TEXT NOT NULL, cost_usd TEXT NOT NULL,
                    recorded_at REAL NOT NULL,
                    UNIQUE(run_id, step_id))
                """)
        } catch {
            try? await connection.close()
            throw error
        }
        return SQLiteJournal(path: path, connection: connection)
    }

    /// Closes the file; later calls fail.
    public func close() async throws {
        let wasClosed = closed.withLock { closed -> Bool in
            defer { closed = true }
            return closed
        }
        guard !wasClosed else { return }
        try await connection.close()
    }

    @discardableResult
    public func record(_ entry: JournalEntry) async throws -> JournalEntry {
        let usage = String(decoding: try JSONEncoder().encode(entry.usage), as: UTF8.self)
        _ = try await query(
            """
            INSERT OR IGNORE INTO run_journal(run_id, step_id, kind, payload, usage, cost_usd, recorded_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            """,
            [
                .text(entry.runID), .text(entry.stepID), .text(entry.kind.rawValue), .text(entry.payload), .text(usage),
                .text("\(entry.costUSD)"), .float(entry.recordedAt.timeIntervalSince1970),
            ])
        return try await self.entry(runID: entry.runID, stepID: entry.stepID) ?? entry
    }

    public func entry(runID: String, stepID: String) async throws -> JournalEntry? {
        try await query(
            "SELECT * FROM run_journal WHERE run_id = ?1 AND step_id = ?2", [.text(runID), .text(stepID)]
        ).first.map(Self.entry(from:))
    }

    public func entries(runID: String) async throws -> [JournalEntry] {
        try await query("SELECT * FROM run_journal WHERE run_id = ?1 ORDER BY seq", [.text(runID)]).map(Self.entry(from:))
    }

    /// Runs in the journal, newest first: id, when it started, and the run entry's payload.
    public func runs(limit: Int = 50) async throws -> [(runID: String, startedAt: Date, payload: String)] {
        try await query(
            "SELECT run_id, recorded_at, payload FROM run_journal WHERE kind = 'run' ORDER BY seq DESC LIMIT ?1",
            [.integer(limit)]
        ).map { row in
            (
                row.column("run_id")?.string ?? "", Date(timeIntervalSince1970: row.column("recorded_at")?.double ?? 0),
                row.column("payload")?.string ?? ""
            )
        }
    }

    private static func entry(from row: SQLiteRow) -> JournalEntry {
        let usage = (row.column("usage")?.string).flatMap { try? JSONDecoder().decode(Usage.self, from: Data($0.utf8)) }
        return JournalEntry(
            runID: row.column("run_id")?.string ?? "",
            stepID: row.column("step_id")?.string ?? "",
            kind: JournalEntry.Kind(rawValue: row.column("kind")?.string ?? ""),
            payload: row.column("payload")?.string ?? "",
            usage: usage ?? .zero,
            costUSD: Decimal(string: row.column("cost_usd")?.string ?? "0", locale: Locale(identifier: "en_US_POSIX")) ?? 0,
            recordedAt: Date(timeIntervalSince1970: row.column("recorded_at")?.double ?? 0))
    }

    private func query(_ sql: String, _ binds: [SQLiteData]) async throws -> [SQLiteRow] {
        guard !closed.withLock({ $0 }) else {
            throw KimiSwarmError(
                category: .internal, message: "the run journal is closed",
                recoveryHint: "Open the journal again; it was closed before this call.")
        }
        return try await connection.query(sql, binds)
    }
}
