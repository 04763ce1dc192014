import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting
import Testing

@Suite("Resilience: bulkhead (no network)")
struct ResilienceBulkheadTests {
    @Test("permits up to the limit at once; a release hands the permit to the longest waiter")
    func fifoHandOver() async throws {
        let clock = ManualClock()
        let bulkhead = Bulkhead(limit: 2)
        try await bulkhead.acquire(maxWait: .seconds(5), clock: clock)
        try await bulkhead.acquire(maxWait: .seconds(5), clock: clock)
        #expect(bulkhead.inFlight == 2)
        try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<3 {
                group.addTask {
                    try await bulkhead.acquire(maxWait: .seconds(5), clock: clock)
                    return index
                }
                #expect(await eventually { bulkhead.waiting == index + 1 })
            }
            var order: [Int] = []
            for _ in 0..<3 {
                bulkhead.release()
                order.append(try #require(try await group.next()))
            }
            #expect(order == [0, 1, 2])
        }
        #expect(bulkhead.inFlight == 2)
        #expect(bulkhead.waiting == 0)
    }

    @Test("a waiter times out after maxWait on the clock and leaves the queue")
    func timeout() async throws {
        let clock = ManualClock()
        let bulkhead = Bulkhead(limit: 1)
        try await bulkhead.acquire(maxWait: .seconds(5), clock: clock)
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    try await bulkhead.acquire(maxWait: .seconds(5), clock: clock)
                    return false
                } catch {
                    return (error as? Bulkhead.Failure) == .timedOut
                }
            }
            #expect(await clock.waitForSleepers(1))
            #expect(await eventually { bulkhead.waiting == 1 })
            clock.advance(by: .seconds(4))
            #expect(bulkhead.waiting == 1)
            clock.advance(by: .seconds(1))
            let timedOut = await group.next()
            #expect(timedOut == true)
        }
        #expect(bulkhead.waiting == 0)
        #expect(bulkhead.inFlight == 1)
        bulkhead.release()
        #expect(bulkhead.inFlight == 0)
    }
}
