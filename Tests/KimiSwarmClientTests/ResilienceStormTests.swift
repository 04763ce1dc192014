import Foundation
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting
import Testing

@Suite("Resilience: a 429 storm under the shipped defaults")
struct ResilienceStormTests {
    /// A client with the shipped defaults whose only provider is the loopback upstream.
    static func client(_ server: LoopbackProviderServer) -> LLMClient {
        var configuration = KimiSwarmConfiguration()
        configuration.providers = [.moonshot: server.openAIConfiguration()]
        configuration.cache.enabled = false
        return LLMClient(configuration: configuration, registry: .empty, logger: testLogger)
    }

    /// Sends `calls` calls named `call-N` (and one named `always`) at `concurrency`; returns the
    /// failures by call name.
    static func storm(_ client: LLMClient, calls: Int, concurrency: Int) async -> [String: any Error] {
        let names = (0..<calls).map { "call-\($0)" } + ["always"]
        let results = await client.batchChat(names.map { ChatRequest(messages: [.user($0)]) }, maxConcurrency: concurrency)
        var failures: [String: any Error] = [:]
        for (name, result) in zip(names, results) {
            if case .failure(let error) = result { failures[name] = error }
        }
        return failures
    }

    /// Every call within its attempt limit, never retried before its Retry-After, and every
    /// failure a 429 that says after how many attempts and why, with the Retry-After.
    static func check(_ upstream: ThrottlingUpstream, failures: [String: any Error], calls: Int) throws {
        let report = upstream.report()
        #expect(report.maxAttempts <= 3, "\(report)")
        #expect(upstream.attempts.count == calls + 1)
        let shortest = try #require(report.shortestWaitAfter429)
        #expect(shortest >= .seconds(upstream.retryAfterSeconds), "\(report)")
        #expect(upstream.attempts["always"]?.count == 3)
        #expect(failures["always"] != nil)
        for (name, failure) in failures {
            let error = try #require(failure as? KimiSwarmError, "\(name): \(failure)")
            #expect(error.category == .rateLimit && error.httpStatus == 429, "\(name): \(error)")
            #expect(error.attempts == upstream.attempts[name]?.count, "\(name): \(error)")
            #expect(error.retryAfter == .seconds(upstream.retryAfterSeconds), "\(name): \(error)")
            #expect(error.reason != .retryBudgetExhausted, "\(name): \(error)")
            #expect(error.message.contains("gave up after 3 attempts: retry.max_attempts is 3 (retry budget not exhausted)"), "\(name): \(error)")
        }
    }

    @Test("30 calls at 10 concurrent, 30 % answered 429 with Retry-After 1: no early retry, no call over 3 attempts, every failure says why")
    func smallStorm() async throws {
        try await LoopbackProviderServer.withServer { server in
            let upstream = ThrottlingUpstream(retryAfterSeconds: 1)
            server.setResponder(upstream.respond)
            let failures = await Self.storm(Self.client(server), calls: 30, concurrency: 10)
            try Self.check(upstream, failures: failures, calls: 30)
            #expect(upstream.report().throttled >= 9)
        }
    }

    /// The figures of the issue's scenario: 300 calls at 20 concurrent, 30 % answered 429 with
    /// `Retry-After: 2`. It takes a few seconds of real waiting, so it runs only when asked.
    @Test(
        "300 calls at 20 concurrent, 30 % answered 429 with Retry-After 2 (KIMISWARM_RELIABILITY_FIGURES=1)",
        .enabled(if: ProcessInfo.processInfo.environment["KIMISWARM_RELIABILITY_FIGURES"] == "1"))
    func issueStorm() async throws {
        try await LoopbackProviderServer.withServer { server in
            let upstream = ThrottlingUpstream(retryAfterSeconds: 2)
            server.setResponder(upstream.respond)
            let started = ContinuousClock.now
            let failures = await Self.storm(Self.client(server), calls: 300, concurrency: 20)
            let elapsed = ContinuousClock.now - started
            try Self.check(upstream, failures: failures, calls: 300)
            print("storm figures: \(upstream.report()); \(failures.count) failed; took \(ThrottlingUpstream.Report.seconds(elapsed))")
            for (name, failure) in failures.sorted(by: { $0.key < $1.key }) { print("  \(name): \(failure)") }
        }
    }
}
