public import Foundation
public import Logging
public import ServiceLifecycle

/// What a job handler decided.
public enum JobOutcome: Sendable, Hashable {
    /// Done.
    case completed
    /// Failed; retried after the backoff unless `retryable` is false or attempts ran out.
    case failed(message: String, retryable: Bool)
}

/// A queue worker as a `Service`: claims jobs one at a time, runs the handler while a sibling
/// task renews the lease, and records the outcome under the lease's fencing token.
///
/// On graceful shutdown it stops claiming, cancels the running handler and releases its lease
/// so another worker takes the job at once (the run resumes from its journal). If the lease
/// is lost (this worker stalled and another took over), the handler is cancelled and its
/// outcome dropped.
public struct QueueWorker: Service {
    /// Settings; every value has a default.
    public struct Configuration: Sendable {
        public var queue: String
        public var workerID: String
        public var leaseDuration: Duration
        /// How often the lease is renewed (well under `leaseDuration`).
        public var heartbeatInterval: Duration
        /// How long to wait when the queue is empty.
        public var pollInterval: Duration
        /// Jobs run at once (each with its own lease; owners `workerID-1`, `workerID-2`, ... when above 1).
        public var concurrency: Int

        public init(
            queue: String = "default", workerID: String = "worker-\(UUID().uuidString.prefix(8).lowercased())",
            leaseDuration: Duration = .seconds(30), heartbeatInterval: Duration = .seconds(10), pollInterval: Duration = .milliseconds(500),
            concurrency: Int = 1
        ) {
            self.concurrency = max(1, concurrency)
            self.queue = queue
            self.workerID = workerID
            self.leaseDuration = leaseDuration
            self.heartbeatInterval = heartbeatInterval
            self.pollInterval = pollInterval
        }
    }

    /// Runs one job. Throwing counts as a retryable failure; cancellation means "stop".
    public typealias Handler = @Sendable (ClaimedJob) async throws -> JobOutcome
    /// Told about a job that went to `dead`: it failed its last attempt, or its worker crashed
    /// or stalled on every attempt. The job's `lastError` says why.
    public typealias DeadLetterHandler = @Sendable (Job) async -> Void

    let queue: JobQueue
    let configuration: Configuration
    let handler: Handler
    let deadLettered: DeadLetterHandler
    let logger: Logger

    public init(
        queue: JobQueue, configuration: Configuration = Configuration(), logger: Logger,
        deadLettered: @escaping DeadLetterHandler = { _ in }, handler: @escaping Handler
    ) {
        self.queue = queue
        self.configuration = configuration
        self.handler = handler
        self.deadLettered = deadLettered
        self.logger = logger
    }

    public func run() async throws {
        let concurrency = configuration.concurrency
        let workerID = configuration.workerID
        // Jobs this worker id held before it stopped (a crash or a kill leaves their leases
        // running) are claimable again at once.
        do {
            let reclaimed = try await queue.expireLeases(ownedBy: workerID)
            if reclaimed > 0 { logger.info("took back the jobs this worker held before it stopped", metadata: ["jobs": "\(reclaimed)"]) }
        } catch {
            logger.warning("could not take back this worker's earlier leases", metadata: ["error": "\(error)"])
        }
        await withDiscardingTaskGroup { group in
            for slot in 1...concurrency {
                group.addTask { await loop(owner: concurrency == 1 ? workerID : "\(workerID)-\(slot)") }
            }
        }
    }

    private func loop(owner: String) async {
        var logger = self.logger
        logger[metadataKey: "worker_id"] = "\(owner)"
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let claimed: ClaimedJob?
            do {
                claimed = try await queue.claim(
                    queue: configuration.queue, workerID: owner, leaseDuration: configuration.leaseDuration, deadLettered: deadLettered)
            } catch {
                logger.warning("claim failed", metadata: ["error": "\(error)"])
                claimed = nil
            }
            guard let claimed else {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: configuration.pollInterval) }
                continue
            }
            await process(claimed, logger: logger)
        }
    }

    private enum Step: Sendable {
        case finished(JobOutcome)
        case leaseLost
        case shutdown
    }

    private func process(_ claimed: ClaimedJob, logger base: Logger) async {
        var jobLogger = base
        jobLogger[metadataKey: "job_id"] = "\(claimed.job.id)"
        jobLogger[metadataKey: "tenant_id"] = "\(claimed.job.tenantID)"
        let logger = jobLogger
        let queue = self.queue
        let configuration = self.configuration
        let handler = self.handler
        let step: Step = await withTaskGroup(of: Step?.self) { group in
            group.addTask {
                do {
                    return .finished(try await handler(claimed))
                } catch is CancellationError {
                    return nil
                } catch {
                    return .finished(.failed(message: String(describing: error), retryable: true))
                }
            }
            group.addTask {
                var lease = claimed.lease
                while !Task.isCancelled {
                    do {
                        try await Task.sleep(for: configuration.heartbeatInterval)
                    } catch {
                        return nil
                    }
                    do {
                        lease = try await queue.heartbeat(lease: lease, extendBy: configuration.leaseDuration)
                    } catch let error as StoreError where error.isLeaseLost {
                        return .leaseLost
                    } catch {
                        logger.warning("heartbeat failed", metadata: ["error": "\(error)"])
                    }
                }
                return nil
            }
            group.addTask {
                do {
                    try await gracefulShutdown()
                    return .shutdown
                } catch {
                    return nil
                }
            }
            var result: Step = .shutdown
            while let next = await group.next() {
                if let next {
                    result = next
                    break
                }
            }
            group.cancelAll()
            return result
        }
        do {
            switch step {
            case .finished(.completed):
                try await queue.complete(lease: claimed.lease)
            case .finished(.failed(let message, let retryable)):
                if try await queue.fail(lease: claimed.lease, error: message, retryable: retryable) {
                    var job = claimed.job
                    job.status = .dead
                    job.lastError = message
                    await deadLettered(job)
                }
            case .shutdown:
                try await queue.release(lease: claimed.lease)
                logger.info("released the job's lease on shutdown")
            case .leaseLost:
                logger.info("lost the job's lease; dropped its outcome")
            }
        } catch let error as StoreError where error.isLeaseLost {
            logger.info("the job's lease was taken over; outcome refused")
        } catch {
            logger.warning("could not record the job's outcome", metadata: ["error": "\(error)"])
        }
    }
}
