import CoreMetrics
import KimiSwarmClient
import KimiSwarmCore
import Logging
import Synchronization
import Testing

/// Records counter increments by label and dimensions.
private final class RouterRecordingMetrics: MetricsFactory {
    final class Handler: CounterHandler {
        let key: String
        let owner: RouterRecordingMetrics
        init(key: String, owner: RouterRecordingMetrics) {
            self.key = key
            self.owner = owner
        }
        func increment(by amount: Int64) { owner.totals.withLock { $0[key, default: 0] += amount } }
        func reset() {}
    }

    final class Ignored: RecorderHandler, TimerHandler {
        func record(_ value: Int64) {}
        func record(_ value: Double) {}
        func recordNanoseconds(_ duration: Int64) {}
    }

    let totals = Mutex<[String: Int64]>([:])

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        let key = label + "{" + dimensions.map { "\($0.0)=\($0.1)" }.joined(separator: ",") + "}"
        return Handler(key: key, owner: self)
    }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler { Ignored() }
    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler { Ignored() }
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
}

/// Log records, shared by the copies of a ``RecordingLogHandler``.
private final class LogRecords: Sendable {
    let entries = Mutex<[(level: Logger.Level, message: String, metadata: Logger.Metadata)]>([])
}

/// Keeps every log record.
private struct RecordingLogHandler: LogHandler {
    let records: LogRecords
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        records.entries.withLock { $0.append((event.level, "\(event.message)", event.metadata ?? [:])) }
    }
}

@Suite("Router: fallbacks are logged and counted")
struct RouterObservabilityTests {
    @Test("each fallback logs a warning with from, to and category, and increments the counter")
    func loggedAndCounted() async throws {
        let records = LogRecords()
        let logger = Logger(label: "router.test") { _ in RecordingLogHandler(records: records) }
        let metrics = RouterRecordingMetrics()
        let open = KimiSwarmError(category: .provider, message: "circuit open", isRetryable: false, reason: .circuitOpen)
        let overloaded = KimiSwarmError(category: .provider, message: "overloaded", httpStatus: 503)
        let providers: [any LLMProvider] = [
            StubProvider.failing("a", open), StubProvider.failing("b", overloaded), StubProvider.answering("c", "ok"),
        ]
        let settings = RouterSettings(
            defaultDestination: .target(target("a/m1")), fallbacks: ["a/m1": [target("b/m2"), target("c/m3")]])
        let router = ModelRouter(settings: settings, registry: .empty, logger: logger, metricsFactory: metrics, provider: lookup(providers))
        for _ in 0..<2 { _ = try await router.chat(ChatRequest(messages: [.user("hi")])) }

        let totals = metrics.totals.withLock { $0 }
        #expect(totals["kimiswarm_router_fallbacks_total{from=a/m1,to=b/m2,reason=circuit_open}"] == 2)
        #expect(totals["kimiswarm_router_fallbacks_total{from=b/m2,to=c/m3,reason=provider}"] == 2)
        let warnings = records.entries.withLock { $0 }.filter { $0.level == .warning }
        #expect(warnings.count == 4)
        let first = try #require(warnings.first)
        #expect(first.metadata["from"] == "a/m1")
        #expect(first.metadata["to"] == "b/m2")
        #expect(first.metadata["category"] == "provider")
        #expect(first.metadata["reason"] == "circuit_open")
    }
}
