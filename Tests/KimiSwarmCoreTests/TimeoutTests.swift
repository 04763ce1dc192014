import KimiSwarmCore
import KimiSwarmTesting
import Testing

@Suite("withTimeout")
struct TimeoutTests {
    private struct TimedOut: Error {}

    @Test("an operation slower than the limit is cancelled and the timeout error thrown")
    func timesOut() async throws {
        let clock = ManualClock()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                await #expect(throws: TimedOut.self) {
                    try await withTimeout(.seconds(5), clock: clock, timeoutError: { TimedOut() }) {
                        try await clock.sleep(for: .seconds(3600))
                        return 1
                    }
                }
            }
            // The operation and the timer both sleep on the clock.
            #expect(await clock.waitForSleepers(2))
            clock.advance(by: .seconds(5))
            try await group.waitForAll()
        }
        // The operation was cancelled, not left sleeping.
        #expect(clock.sleeperCount == 0)
    }

    @Test("an operation within the limit returns its value and stops the timer")
    func returnsValue() async throws {
        let clock = ManualClock()
        let value = try await withTimeout(.seconds(5), clock: clock, timeoutError: { TimedOut() }) { 42 }
        #expect(value == 42)
        #expect(clock.sleeperCount == 0)
    }
}
