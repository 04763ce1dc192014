import Foundation
import KimiSwarmStore
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@Suite("Durable job queue")
struct QueueTests {
    @Test("a worker starting again under its id ends the leases it (and its slots) held, and no one else's", arguments: TestDatabase.available)
    func expireOwnLeases(_ kind: TestDatabase) async throws {
        try await withFreshLocation(kind) { location in
            try await withStore(at: location) { store in
                try await store.directory.createTenant(name: "Acme", id: "acme")
                for index in 0..<4 { try await store.jobs.enqueue(tenantID: "acme", queue: "q", kind: "work", payload: "{\"i\":\(index)}") }
                for owner in ["replica-a", "replica-a-2", "replica-ab", "replica-b-1"] {
                    #expect(try await store.jobs.claim(queue: "q", workerID: owner, leaseDuration: .seconds(600)) != nil)
                }
                #expect(try await store.jobs.claim(queue: "q", workerID: "other", leaseDuration: .seconds(600)) == nil)
                #expect(try await store.jobs.expireLeases(ownedBy: "replica-a") == 2)
                // Those two are claimable now; `replica-ab` and `replica-b-1` still hold theirs.
                #expect(try await store.jobs.claim(queue: "q", workerID: "replica-a-1") != nil)
                #expect(try await store.jobs.claim(queue: "q", workerID: "replica-a-1") != nil)
                #expect(try await store.jobs.claim(queue: "q", workerID: "replica-a-1") == nil)
            }
        }
    }

    @Test("two concurrent workers drain 1,000 jobs, each exactly once", arguments: TestDatabase.available)
    func twoWorkersDrainExactlyOnce(_ kind: TestDatabase) async throws {
        let total = 1_000
        try await withFreshLocation(kind) { location in
            let ids = try await withStore(at: location) { store in
                try await store.directory.createTenant(name: "Acme", id: "acme")
                var ids: [String] = []
                for index in 0..<total {
                    ids.append(try await store.jobs.enqueue(tenantID: "acme", queue: "drain", kind: "work", payload: "{\"i\":\(index)}", priority: index % 3).id)
                }
                return ids
            }
            let runs = Locked<[String: Int]>([:])
            // Two replicas: two stores, each with its own connection(s) to the same database.
            let perWorker = try await withThrowingTaskGroup(of: Int.self) { group in
                for worker in 0..<2 {
                    group.addTask {
                        try await withStore(at: location) { store in
                            var done = 0
                            while let claimed = try await store.jobs.claim(queue: "drain", workerID: "w\(worker)", leaseDuration: .seconds(300)) {
                                runs.withLock { $0[claimed.job.id, default: 0] += 1 }
                                try await store.jobs.complete(lease: claimed.lease)
                                done += 1
                            }
                            return done
                        }
                    }
                }
                var counts: [Int] = []
                for try await count in group { counts.append(count) }
                return counts
            }
            #expect(perWorker.reduce(0, +) == total)
            let counts = runs.withLock { $0 }
            #expect(counts.count == total)
            #expect(counts.values.allSatisfy { $0 == 1 })
            #expect(Set(counts.keys) == Set(ids))
            let depth = try await withStore(at: location) { store in try await store.jobs.queueDepth(queue: "drain") }
            #expect(depth == [.succeeded: total])
        }
    }

    @Test("a stalled worker's job is reclaimed after its lease expires, and its late writes are refused", arguments: TestDatabase.available)
    func leaseExpiryAndFencing(_ kind: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestStore(kind, clock: clock.storeClock) { store in
            let job = try await store.jobs.enqueue(tenantID: "acme", queue: "q", kind: "run", maxAttempts: 3)
            let stalled = try #require(try await store.jobs.claim(queue: "q", workerID: "stalled", leaseDuration: .seconds(30)))
            #expect(stalled.job.id == job.id)
            #expect(try await store.jobs.claim(queue: "q", workerID: "other", leaseDuration: .seconds(30)) == nil)
            clock.advance(by: 20)
            #expect(try await store.jobs.claim(queue: "q", workerID: "other", leaseDuration: .seconds(30)) == nil)
            clock.advance(by: 11)  // 31 s: the lease has expired
            let successor = try #require(try await store.jobs.claim(queue: "q", workerID: "successor", leaseDuration: .seconds(30)))
            #expect(successor.job.id == job.id)
            #expect(successor.lease.fencingToken > stalled.lease.fencingToken)
            #expect(successor.job.attempts == 2)

            // The stalled worker wakes up: every write is refused.
            await #expect(throws: StoreError.self) { try await store.jobs.heartbeat(lease: stalled.lease) }
            await #expect(throws: StoreError.self) { try await store.jobs.complete(lease: stalled.lease) }
            await #expect(throws: StoreError.self) { try await store.jobs.fail(lease: stalled.lease, error: "late") }
            await #expect(throws: StoreError.self) { try await store.jobs.release(lease: stalled.lease) }
            #expect(try await store.jobs.job(tenantID: "acme", jobID: job.id)?.leaseOwner == "successor")

            let renewed = try await store.jobs.heartbeat(lease: successor.lease, extendBy: .seconds(30))
            clock.advance(by: 25)
            #expect(try await store.jobs.claim(queue: "q", workerID: "other") == nil)
            try await store.jobs.complete(lease: renewed)
            let done = try #require(try await store.jobs.job(tenantID: "acme", jobID: job.id))
            #expect(done.status == .succeeded)
            #expect(try await store.jobs.job(tenantID: "other", jobID: job.id) == nil)
        }
    }

    @Test("failures back off, then dead-letter; a lease expiring on the last attempt dead-letters", arguments: TestDatabase.available)
    func failureAndDeadLetter(_ kind: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestStore(kind, clock: clock.storeClock) { store in
            let job = try await store.jobs.enqueue(tenantID: "acme", queue: "q", kind: "flaky", maxAttempts: 2)
            let first = try #require(try await store.jobs.claim(queue: "q", workerID: "w"))
            try await store.jobs.fail(lease: first.lease, error: "boom")
            let queued = try #require(try await store.jobs.job(tenantID: "acme", jobID: job.id))
            #expect(queued.status == .queued)
            #expect(queued.notBefore > clock.now)
            #expect(try await store.jobs.claim(queue: "q", workerID: "w") == nil)
            clock.advance(by: 10)
            let second = try #require(try await store.jobs.claim(queue: "q", workerID: "w"))
            try await store.jobs.fail(lease: second.lease, error: "boom again")
            let dead = try #require(try await store.jobs.job(tenantID: "acme", jobID: job.id))
            #expect(dead.status == .dead)
            #expect(dead.lastError == "boom again")
            #expect(try await store.jobs.jobs(tenantID: "acme", status: .dead).map(\.id) == [job.id])

            try await store.jobs.retryDeadJob(tenantID: "acme", jobID: job.id)
            let again = try #require(try await store.jobs.claim(queue: "q", workerID: "w"))
            try await store.jobs.fail(lease: again.lease, error: "fatal", retryable: false)
            #expect(try await store.jobs.job(tenantID: "acme", jobID: job.id)?.status == .dead)

            let lastAttempt = try await store.jobs.enqueue(tenantID: "acme", queue: "q2", kind: "k", maxAttempts: 1)
            _ = try #require(try await store.jobs.claim(queue: "q2", workerID: "w", leaseDuration: .seconds(5)))
            clock.advance(by: 6)
            #expect(try await store.jobs.claim(queue: "q2", workerID: "w") == nil)
            #expect(try await store.jobs.job(tenantID: "acme", jobID: lastAttempt.id)?.status == .dead)
        }
    }

    @Test("priority first, and nothing before its not-before time", arguments: TestDatabase.available)
    func priorityAndNotBefore(_ kind: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestStore(kind, clock: clock.storeClock) { store in
            try await store.jobs.enqueue(tenantID: "t", queue: "q", kind: "low", priority: 0)
            try await store.jobs.enqueue(tenantID: "t", queue: "q", kind: "later", priority: 9, notBefore: clock.now.addingTimeInterval(60))
            try await store.jobs.enqueue(tenantID: "t", queue: "q", kind: "high", priority: 5)
            #expect(try await store.jobs.claim(queue: "q", workerID: "w")?.job.kind == "high")
            #expect(try await store.jobs.claim(queue: "q", workerID: "w")?.job.kind == "low")
            #expect(try await store.jobs.claim(queue: "q", workerID: "w") == nil)
            clock.advance(by: 61)
            #expect(try await store.jobs.claim(queue: "q", workerID: "w")?.job.kind == "later")
        }
    }

    @Test("the backoff doubles, is capped and jittered")
    func backoff() {
        let backoff = RetryBackoff(base: .seconds(2), maximum: .seconds(60), jitter: 0.2)
        #expect(backoff.delay(afterAttempt: 1, random: 0) == .seconds(2))
        #expect(backoff.delay(afterAttempt: 3, random: 0) == .seconds(8))
        #expect(backoff.delay(afterAttempt: 20, random: 0) == .seconds(60))
        let jittered = backoff.delay(afterAttempt: 3, random: 0.5)
        #expect(jittered > .milliseconds(7_199) && jittered < .milliseconds(7_201))
    }

    @Test("QueueWorker services run jobs and release their lease on graceful shutdown", arguments: TestDatabase.available)
    func workerService(_ kind: TestDatabase) async throws {
        try await withTestStore(kind) { store in
            // The worker runs one job at a time: the blocking job has the lowest priority, so it
            // is taken after the quick ones.
            for _ in 0..<9 { try await store.jobs.enqueue(tenantID: "acme", queue: "svc", kind: "quick") }
            try await store.jobs.enqueue(tenantID: "acme", queue: "svc", kind: "block", priority: -1)
            let completed = Locked(0)
            let blocking = Locked<String?>(nil)
            let configuration = QueueWorker.Configuration(
                queue: "svc", workerID: "svc-worker", leaseDuration: .seconds(60), heartbeatInterval: .milliseconds(200),
                pollInterval: .milliseconds(20))
            let worker = QueueWorker(queue: store.jobs, configuration: configuration, logger: testLogger) { claimed in
                if claimed.job.kind == "block" {
                    blocking.withLock { $0 = claimed.job.id }
                    try await Task.sleep(for: .seconds(3600))
                }
                completed.withLock { $0 += 1 }
                return .completed
            }
            let group = ServiceGroup(configuration: .init(services: [worker], logger: testLogger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                let deadline = ContinuousClock.now + .seconds(120)
                while blocking.withLock({ $0 }) == nil || completed.withLock({ $0 }) < 9 {
                    #expect(ContinuousClock.now < deadline)
                    if ContinuousClock.now >= deadline { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                // Shut down once the blocking job's lease was renewed by a heartbeat (polled).
                let blockedID = try #require(blocking.withLock { $0 })
                let firstExpiry = try await store.jobs.job(tenantID: "acme", jobID: blockedID)?.leaseExpiresAt
                var renewed = false
                while !renewed && ContinuousClock.now < deadline {
                    renewed = try await store.jobs.job(tenantID: "acme", jobID: blockedID)?.leaseExpiresAt != firstExpiry
                    if !renewed { try await Task.sleep(for: .milliseconds(20)) }
                }
                #expect(renewed, "no heartbeat renewed the lease")
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(completed.withLock { $0 } == 9)
            let blockedID = try #require(blocking.withLock { $0 })
            let released = try #require(try await store.jobs.job(tenantID: "acme", jobID: blockedID))
            #expect(released.status == .queued)
            #expect(released.leaseOwner == nil)
            #expect(released.attempts == 0)
            #expect(try await store.jobs.claim(queue: "svc", workerID: "next")?.job.id == blockedID)
        }
    }

    @Test("a QueueWorker whose lease was taken over stops its handler and drops its outcome", arguments: TestDatabase.available)
    func workerLosesLease(_ kind: TestDatabase) async throws {
        let clock = TestClock()
        try await withTestStore(kind, clock: clock.storeClock) { store in
            let job = try await store.jobs.enqueue(tenantID: "acme", queue: "steal", kind: "long")
            let started = Locked(false)
            let cancelled = Locked(false)
            let configuration = QueueWorker.Configuration(
                queue: "steal", workerID: "slow", leaseDuration: .seconds(30), heartbeatInterval: .milliseconds(100),
                pollInterval: .milliseconds(20))
            let worker = QueueWorker(queue: store.jobs, configuration: configuration, logger: testLogger) { _ in
                started.withLock { $0 = true }
                do {
                    try await Task.sleep(for: .seconds(3600))
                } catch {
                    cancelled.withLock { $0 = true }
                    throw error
                }
                return .completed
            }
            let group = ServiceGroup(configuration: .init(services: [worker], logger: testLogger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                let deadline = ContinuousClock.now + .seconds(120)
                while !started.value && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                #expect(started.value)
                // The worker stalls past its lease (as far as the store's clock can tell) and
                // another worker takes the job over.
                clock.advance(by: 3_600)
                let thief = try #require(try await store.jobs.claim(queue: "steal", workerID: "thief", leaseDuration: .seconds(7_200)))
                #expect(thief.job.id == job.id)
                while !cancelled.value && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                #expect(cancelled.value)
                #expect(try await store.jobs.job(tenantID: "acme", jobID: job.id)?.leaseOwner == "thief")
                try await store.jobs.complete(lease: thief.lease)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            let done = try #require(try await store.jobs.job(tenantID: "acme", jobID: job.id))
            #expect(done.status == .succeeded)
            #expect(done.attempts == 2)
        }
    }

    @Test("a QueueWorker with concurrency 4 runs every job once", arguments: TestDatabase.available)
    func workerConcurrency(_ kind: TestDatabase) async throws {
        try await withTestStore(kind) { store in
            for index in 0..<40 { try await store.jobs.enqueue(tenantID: "acme", queue: "par", kind: "k", payload: "{\"i\":\(index)}") }
            let runs = Locked<[String: Int]>([:])
            let owners = Locked<Set<String>>([])
            let configuration = QueueWorker.Configuration(
                queue: "par", workerID: "pool", leaseDuration: .seconds(60), heartbeatInterval: .seconds(5), pollInterval: .milliseconds(20),
                concurrency: 4)
            let worker = QueueWorker(queue: store.jobs, configuration: configuration, logger: testLogger) { claimed in
                runs.withLock { $0[claimed.job.id, default: 0] += 1 }
                owners.withLock { _ = $0.insert(claimed.lease.owner) }
                try await Task.sleep(for: .milliseconds(5))
                return .completed
            }
            let group = ServiceGroup(configuration: .init(services: [worker], logger: testLogger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                let deadline = ContinuousClock.now + .seconds(120)
                while try await store.jobs.queueDepth(queue: "par")[.succeeded, default: 0] < 40 && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(runs.value.count == 40)
            #expect(runs.value.values.allSatisfy { $0 == 1 })
            #expect(owners.value.isSubset(of: ["pool-1", "pool-2", "pool-3", "pool-4"]))
            #expect(try await store.jobs.queueDepth(queue: "par") == [.succeeded: 40])
        }
    }
}
