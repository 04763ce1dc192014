import CoreMetrics
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting
import Synchronization
import Testing

/// A metrics factory that keeps the last value of every counter and recorder, by label and
/// dimensions (`kimiswarm_cache_hits_total{tier=l1}`).
final class RecordingMetrics: MetricsFactory {
    let values = Mutex<[String: Double]>([:])

    static func name(_ label: String, _ dimensions: [(String, String)]) -> String {
        dimensions.isEmpty ? label : label + "{" + dimensions.map { "\($0.0)=\($0.1)" }.joined(separator: ",") + "}"
    }

    subscript(_ name: String) -> Double? { values.withLock { $0[name] } }

    final class Handler: CounterHandler, RecorderHandler, TimerHandler {
        let name: String
        let metrics: RecordingMetrics
        init(name: String, metrics: RecordingMetrics) {
            self.name = name
            self.metrics = metrics
        }
        func increment(by amount: Int64) { metrics.values.withLock { $0[name, default: 0] += Double(amount) } }
        func reset() { metrics.values.withLock { $0[name] = 0 } }
        func record(_ value: Int64) { metrics.values.withLock { $0[name] = Double(value) } }
        func record(_ value: Double) { metrics.values.withLock { $0[name] = value } }
        func recordNanoseconds(_ duration: Int64) {}
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        Handler(name: Self.name(label, dimensions), metrics: self)
    }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        Handler(name: Self.name(label, dimensions), metrics: self)
    }
    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        Handler(name: Self.name(label, dimensions), metrics: self)
    }
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
}

@Suite("Cache: metrics and concurrency")
struct CacheMetricsTests {
    @Test("hits per tier, misses, evictions, bytes and entries are reported as metrics")
    func metrics() async throws {
        let metrics = RecordingMetrics()
        let cache = ResponseCache(maxEntries: 1, clock: ManualClock(), metricsFactory: metrics)
        #expect(await cache.lookup(cacheTestKey("a"), scope: "s") == nil)
        await cache.store(cacheTestResponse("a"), key: cacheTestKey("a"), scope: "s", provider: .moonshot, model: "m")
        _ = await cache.lookup(cacheTestKey("a"), scope: "s")
        _ = await cache.lookup(cacheTestKey("a"), scope: "s")
        await cache.store(cacheTestResponse("b"), key: cacheTestKey("b"), scope: "s", provider: .moonshot, model: "m")
        #expect(metrics["kimiswarm_cache_hits_total{tier=l1}"] == 2)
        #expect(metrics["kimiswarm_cache_hits_total{tier=l2}"] == nil)
        #expect(metrics["kimiswarm_cache_misses_total"] == 1)
        #expect(metrics["kimiswarm_cache_evictions_total"] == 1)
        #expect(metrics["kimiswarm_cache_entries"] == 1)
        #expect(metrics["kimiswarm_cache_bytes"] == Double(try ResponseCodec.encode(cacheTestResponse("b")).count))
    }

    @Test("concurrent readers and writers keep the in-memory bounds and counts consistent")
    func concurrency() async {
        let cache = ResponseCache(maxEntries: 16, maxBytes: 1_000_000, clock: ManualClock())
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for index in 0..<100 {
                        let name = "\((worker * 7 + index) % 40)"
                        if await cache.lookup(cacheTestKey(name), scope: "s") == nil {
                            await cache.store(cacheTestResponse(name), key: cacheTestKey(name), scope: "s", provider: .moonshot, model: "m")
                        }
                    }
                }
            }
        }
        let statistics = cache.statistics
        #expect(statistics.lookups == 800)
        #expect(statistics.entries <= 16)
        #expect(statistics.entries == cache.memory.keysByRecency.count)
        #expect(statistics.stores == statistics.misses)
    }
}
