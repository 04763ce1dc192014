import Foundation
public import Logging
public import ServiceLifecycle

/// How long raw data is kept. `nil` keeps it forever. Rollups are never deleted.
public struct RetentionPolicy: Sendable, Hashable {
    public var runEvents: Duration?
    public var journal: Duration?
    public var ledger: Duration?
    /// Succeeded and dead jobs.
    public var finishedJobs: Duration?

    public init(
        runEvents: Duration? = .seconds(30 * 86_400), journal: Duration? = .seconds(90 * 86_400),
        ledger: Duration? = .seconds(400 * 86_400), finishedJobs: Duration? = .seconds(14 * 86_400)
    ) {
        self.runEvents = runEvents
        self.journal = journal
        self.ledger = ledger
        self.finishedJobs = finishedJobs
    }
}

/// Rows deleted by one retention pass.
public struct RetentionReport: Sendable, Hashable {
    public var runEvents = 0
    public var journal = 0
    public var ledger = 0
    public var finishedJobs = 0
    public var expiredCache = 0
    /// Expired dashboard sessions.
    public var webSessions = 0
}

/// Deletes old events, journal entries, ledger rows and finished jobs, expired cache entries
/// and expired dashboard sessions (all tenants) on a schedule; daily rollups stay, so
/// analytics keep their history.
public struct RetentionService: Service {
    let store: SwarmStore
    let policy: RetentionPolicy
    let interval: Duration
    let logger: Logger

    public init(store: SwarmStore, policy: RetentionPolicy = RetentionPolicy(), interval: Duration = .seconds(3600), logger: Logger) {
        self.store = store
        self.policy = policy
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let report = try await Self.purge(store: store, policy: policy)
                logger.info(
                    "retention pass",
                    metadata: [
                        "events": "\(report.runEvents)", "journal": "\(report.journal)", "ledger": "\(report.ledger)",
                        "jobs": "\(report.finishedJobs)", "cache": "\(report.expiredCache)",
                        "webSessions": "\(report.webSessions)",
                    ])
            } catch {
                logger.warning("retention pass failed", metadata: ["error": "\(error)"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// One pass (system maintenance across tenants).
    public static func purge(store: SwarmStore, policy: RetentionPolicy) async throws -> RetentionReport {
        let now = store.context.now
        let database = store.database
        func cutoff(_ age: Duration) -> Date { now.addingTimeInterval(-age.seconds) }
        var report = RetentionReport()
        if let age = policy.runEvents {
            report.runEvents = try await database.query(
                "DELETE FROM run_events WHERE created_at < \(cutoff(age)) RETURNING seq").count
        }
        if let age = policy.journal {
            report.journal = try await database.query(
                "DELETE FROM run_journal WHERE recorded_at < \(cutoff(age)) RETURNING step_id").count
        }
        if let age = policy.ledger {
            report.ledger = try await database.query(
                "DELETE FROM usage_ledger WHERE created_at < \(cutoff(age)) RETURNING id").count
        }
        if let age = policy.finishedJobs {
            report.finishedJobs = try await database.query(
                "DELETE FROM jobs WHERE status IN ('succeeded', 'dead') AND finished_at < \(cutoff(age)) RETURNING id").count
        }
        report.expiredCache = try await store.responseCache.purgeExpiredResponses()
        report.webSessions = try await store.webSessions.purgeExpired()
        return report
    }
}
