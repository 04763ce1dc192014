import KimiSwarmCore
import KimiSwarmTesting
import Testing

@Suite("Manual clock")
struct ManualClockTests {
    @Test("sleepers wake when time passes their deadline, in order")
    func wakesInOrder() async throws {
        let clock = ManualClock()
        try await withThrowingTaskGroup(of: Duration.self) { group in
            group.addTask {
                try await clock.sleep(for: .seconds(2))
                return clock.now()
            }
            group.addTask {
                try await clock.sleep(for: .seconds(1))
                return clock.now()
            }
            #expect(await clock.waitForSleepers(2))
            #expect(clock.sleeperDeadlines == [.seconds(1), .seconds(2)])
            clock.advance(by: .milliseconds(1500))
            let first = try await group.next()
            #expect(first == .milliseconds(1500))
            #expect(clock.sleeperCount == 1)
            clock.advanceToNextDeadline()
            let second = try await group.next()
            #expect(second == .seconds(2))
        }
    }

    @Test("a cancelled sleeper throws CancellationError and leaves")
    func cancellation() async throws {
        let clock = ManualClock()
        let task = Task {
            do {
                try await clock.sleep(for: .seconds(60))
                return "woke"
            } catch is CancellationError {
                return "cancelled"
            } catch {
                return "other: \(error)"
            }
        }
        #expect(await clock.waitForSleepers(1))
        task.cancel()
        #expect(await task.value == "cancelled")
        #expect(clock.sleeperCount == 0)
    }

    @Test("a zero sleep returns at once; the system clock moves forward")
    func zeroAndSystem() async throws {
        try await ManualClock().sleep(for: .zero)
        let system = SystemClock()
        let first = system.now()
        try await system.sleep(for: .milliseconds(2))
        #expect(system.now() > first)
    }
}
