// kimiswarm-bench: what the client stack costs on top of a bare HTTP call.
//
// Starts the loopback fake provider, then measures side by side in one run:
//   1. a bare AsyncHTTPClient POST of a chat completion, body read and JSON-parsed;
//   2. the same call through LLMClient with every layer of the default stack;
//   3. streamed completions through LLMClient: events per second.
// Prints per-call medians and the ratio. Usage: swift run -c release kimiswarm-bench [calls]
import AsyncHTTPClient
import Foundation
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting
import Logging
import NIOCore
import NIOHTTP1

@main
struct Bench {
    static func main() async throws {
        let calls = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 2000
        let server = try await LoopbackProviderServer.start()
        let http = SharedHTTPClient.client()
        let body = #"{"model":"echo-1","messages":[{"role":"user","content":"benchmark prompt with a few words"}]}"#
        let provider = ProviderConfiguration(
            id: .openai, kind: .openAICompatible, baseURL: server.baseURL + "/v1", apiKey: Secret("bench"), defaultModel: "echo-1",
            dialect: .openai)
        var configuration = KimiSwarmConfiguration(providers: [.openai: provider])
        configuration.defaultProvider = .openai
        configuration.cache.enabled = false
        // Measure per-call overhead, not the default 60-per-minute client-side limit.
        configuration.rateLimit.maxRequests = 1_000_000_000
        configuration.rateLimit.maxConcurrent = 64
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let client = LLMClient(configuration: configuration, registry: DefaultModelRegistry.load(), logger: logger)
        let request = ChatRequest(messages: [.user("benchmark prompt with a few words")], options: RequestOptions(cache: .bypass))

        func bare() async throws {
            var post = HTTPClientRequest(url: server.baseURL + "/v1/chat/completions")
            post.method = .POST
            post.headers.add(name: "content-type", value: "application/json")
            post.headers.add(name: "authorization", value: "Bearer bench")
            post.body = .bytes(ByteBuffer(string: body))
            let response = try await http.execute(post, timeout: .seconds(30))
            let bytes = try await response.body.collect(upTo: 1 << 20)
            _ = try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))
        }
        func stack() async throws { _ = try await client.chat(request) }

        // Warm up both paths, then alternate rounds so machine noise hits both alike.
        for _ in 0..<200 {
            try await bare()
            try await stack()
        }
        var bareTimes: [Duration] = []
        var stackTimes: [Duration] = []
        let clock = ContinuousClock()
        for _ in 0..<calls {
            bareTimes.append(try await clock.measure { try await bare() })
            stackTimes.append(try await clock.measure { try await stack() })
        }
        let bareMedian = median(bareTimes)
        let stackMedian = median(stackTimes)
        print("calls per path:            \(calls) (alternating, loopback, sequential)")
        print("bare AsyncHTTPClient POST: median \(microseconds(bareMedian)) µs, p99 \(microseconds(percentile(bareTimes, 99))) µs")
        print("LLMClient full stack:      median \(microseconds(stackMedian)) µs, p99 \(microseconds(percentile(stackTimes, 99))) µs")
        print(String(format: "stack / bare (median):     %.2fx, overhead %d µs per call", seconds(stackMedian) / seconds(bareMedian),
                     microseconds(stackMedian) - microseconds(bareMedian)))

        // Streaming: a long echo answer, chunked by the fake into 4-character pieces.
        let words = Array(repeating: "token", count: 2000).joined(separator: " ")
        let streamRequest = ChatRequest(messages: [.user(words)], options: RequestOptions(cache: .bypass))
        var events = 0
        let streamTime = try await clock.measure {
            for _ in 0..<5 {
                for try await _ in client.chatStream(streamRequest) { events += 1 }
            }
        }
        print(String(format: "streaming through stack:   %d events in %.2f s = %.0f events/s", events, seconds(streamTime),
                     Double(events) / seconds(streamTime)))
        try await server.shutdown()
    }

    static func median(_ values: [Duration]) -> Duration { percentile(values, 50) }

    static func percentile(_ values: [Duration], _ rank: Double) -> Duration {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, max(0, Int((rank / 100 * Double(sorted.count)).rounded(.up)) - 1))]
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func microseconds(_ duration: Duration) -> Int { Int((seconds(duration) * 1e6).rounded()) }
}
