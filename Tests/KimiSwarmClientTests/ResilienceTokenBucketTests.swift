import KimiSwarmClient
import Testing

@Suite("Resilience: token bucket (pure)")
struct ResilienceTokenBucketTests {
    @Test("starts full, refills at the configured rate, never above capacity")
    func refill() {
        var bucket = TokenBucket(count: 3, per: .seconds(60))
        #expect(bucket.consume(1, now: .zero) == true)
        #expect(bucket.consume(1, now: .zero) == true)
        #expect(bucket.consume(1, now: .zero) == true)
        #expect(bucket.consume(1, now: .zero) == false)
        #expect(bucket.timeUntilAvailable(1, now: .zero) == .seconds(20))
        #expect(bucket.consume(1, now: .seconds(19)) == false)
        #expect(bucket.consume(1, now: .seconds(20)) == true)
        #expect(bucket.available(now: .seconds(3600)) == 3)
    }

    @Test("holds the rate over simulated time: a burst of capacity, then the refill rate")
    func rateOverTime() {
        var bucket = TokenBucket(capacity: 3, refillPerSecond: 0.25)
        var admitted = 0
        for second in 0...600 {
            while bucket.consume(1, now: .seconds(Int64(second))) { admitted += 1 }
        }
        #expect(admitted == 3 + 150)
    }

    @Test("reservations queue in order and wait for their share; too long a wait reserves nothing")
    func reservations() {
        var bucket = TokenBucket(count: 3, per: .seconds(60))
        let waits = (0..<5).map { _ in bucket.reserve(1, now: .zero, maxWait: .seconds(40)) }
        #expect(waits == [.zero, .zero, .zero, .seconds(20), .seconds(40)])
        #expect(bucket.reserve(1, now: .zero, maxWait: .seconds(40)) == nil)
        bucket.refund(1, now: .zero)
        #expect(bucket.reserve(1, now: .zero, maxWait: .seconds(40)) == .seconds(40))
    }

    @Test("charges and refunds reconcile estimates; requests above capacity are clamped")
    func reconcile() {
        var bucket = TokenBucket(capacity: 1000, refillPerSecond: 10)
        #expect(bucket.consume(5000, now: .zero) == true)
        #expect(bucket.available(now: .zero) == 0)
        bucket.charge(100, now: .zero)
        #expect(bucket.timeUntilAvailable(1, now: .zero) == .seconds(10.1))
        bucket.refund(5000, now: .zero)
        #expect(bucket.available(now: .zero) == 1000)
    }
}
