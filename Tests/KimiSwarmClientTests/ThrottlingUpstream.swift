import Foundation
import KimiSwarmCore
import KimiSwarmTesting
import Synchronization

/// A loopback upstream that answers a fixed share of requests with 429 and `Retry-After`
/// (chosen by arrival order: deterministic in count, whatever the interleaving), and records
/// when each call's attempts arrived. A call is named by its user message; a call named
/// `always` is refused every time.
final class ThrottlingUpstream: Sendable {
    /// One request as the upstream saw it.
    struct Attempt: Sendable {
        let at: ContinuousClock.Instant
        let throttled: Bool
    }

    /// What the calls' attempts show.
    struct Report: Sendable, CustomStringConvertible {
        var requests = 0
        var throttled = 0
        var callsByAttempts: [Int: Int] = [:]
        /// The shortest time between a 429 and the same call's next attempt.
        var shortestWaitAfter429: Duration?
        var longestWaitAfter429: Duration?

        var maxAttempts: Int { callsByAttempts.keys.max() ?? 0 }

        var description: String {
            let attempts = callsByAttempts.keys.sorted().map { "\($0): \(callsByAttempts[$0] ?? 0)" }.joined(separator: ", ")
            return "requests \(requests) (429: \(throttled)); calls by attempts {\(attempts)}; "
                + "wait after a 429: shortest \(shortestWaitAfter429.map(Self.seconds) ?? "-"), longest \(longestWaitAfter429.map(Self.seconds) ?? "-")"
        }

        static func seconds(_ duration: Duration) -> String {
            let (whole, atto) = duration.components
            return String(format: "%.3f s", Double(whole) + Double(atto) / 1e18)
        }
    }

    let retryAfterSeconds: Int
    /// Arrival positions modulo 10 that are refused: three of ten by default (30 %).
    let refusedSlots: Set<Int>
    private let log = Mutex<[String: [Attempt]]>([:])

    init(retryAfterSeconds: Int, refusedSlots: Set<Int> = [1, 4, 7]) {
        self.retryAfterSeconds = retryAfterSeconds
        self.refusedSlots = refusedSlots
    }

    /// The responder to install with `LoopbackProviderServer.setResponder`.
    func respond(_ request: RecordedRequest) -> FakeResponse? {
        let call = request.json?["messages"]?.arrayValue?.last?["content"]?.stringValue ?? "?"
        let throttled = call == "always" || refusedSlots.contains(request.sequenceNumber % 10)
        let now = ContinuousClock.now
        log.withLock { $0[call, default: []].append(Attempt(at: now, throttled: throttled)) }
        guard throttled else { return nil }
        return OpenAIWire.error(
            status: 429, message: "Rate limit reached for requests", type: "requests", code: "rate_limit_exceeded",
            headers: [("Retry-After", "\(retryAfterSeconds)")])
    }

    /// Each call's attempts, by call name.
    var attempts: [String: [Attempt]] { log.withLock { $0 } }

    /// The counts and waits seen so far.
    func report() -> Report {
        var report = Report()
        for attempts in attempts.values {
            report.requests += attempts.count
            report.callsByAttempts[attempts.count, default: 0] += 1
            for (index, attempt) in attempts.enumerated() where attempt.throttled {
                report.throttled += 1
                guard index + 1 < attempts.count else { continue }
                let wait = attempts[index + 1].at - attempt.at
                report.shortestWaitAfter429 = min(report.shortestWaitAfter429 ?? wait, wait)
                report.longestWaitAfter429 = max(report.longestWaitAfter429 ?? wait, wait)
            }
        }
        return report
    }
}
