public import Foundation

/// Where a job is in its life.
public enum JobStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Waiting for a worker (possibly until `notBefore`).
    case queued
    /// Leased by a worker.
    case running
    /// Done.
    case succeeded
    /// Failed `maxAttempts` times (or its lease expired on the last one); kept for inspection.
    case dead
}

/// A job as stored.
public struct Job: Sendable, Hashable, Codable {
    public var id: String
    public var tenantID: String
    public var queue: String
    public var kind: String
    /// The job's input as JSON text.
    public var payload: String
    /// Higher runs first.
    public var priority: Int
    public var status: JobStatus
    /// Claims so far (the current one included).
    public var attempts: Int
    public var maxAttempts: Int
    public var notBefore: Date
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?
    /// Incremented by every claim; a lease is valid only while its token is the job's.
    public var fencingToken: Int64
    public var lastError: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var finishedAt: Date?
}

/// A worker's hold on a job. Every write a worker makes about the job (heartbeat, complete,
/// fail, release) presents the lease, and is refused with ``StoreError/leaseLost`` once
/// another claim has bumped the job's fencing token.
public struct JobLease: Sendable, Hashable {
    public var jobID: String
    public var tenantID: String
    public var fencingToken: Int64
    public var owner: String
    public var expiresAt: Date
}

/// A claimed job and its lease.
public struct ClaimedJob: Sendable, Hashable {
    public var job: Job
    public var lease: JobLease
}

/// How long a failed job waits before its next attempt: `base * 2^(attempt-1)`, capped, with
/// up to 20% of jitter taken off. Pure, so tests can check it.
public struct RetryBackoff: Sendable, Hashable {
    public var base: Duration
    public var maximum: Duration
    public var jitter: Double

    public init(base: Duration = .seconds(2), maximum: Duration = .seconds(300), jitter: Double = 0.2) {
        self.base = base
        self.maximum = maximum
        self.jitter = jitter
    }

    /// The delay after `attempt` (1-based) failed; `random` in `0..<1`.
    public func delay(afterAttempt attempt: Int, random: Double = Double.random(in: 0..<1)) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let raw = base * (1 << exponent)
        let capped = min(raw, maximum)
        return capped * (1 - jitter * random)
    }
}
