import AsyncHTTPClient
import Foundation
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting
import Logging

/// A recognisable key: tests assert it never shows up in errors or logs.
let testAPIKey = "sk-test-DO-NOT-LEAK-4242"

let testLogger: Logger = {
    var logger = Logger(label: "kimiswarm.tests", factory: { _ in SwiftLogNoOpLogHandler() })
    logger.logLevel = .critical
    return logger
}()

extension LoopbackProviderServer {
    /// Settings for an OpenAI-compatible provider pointed at this server.
    func openAIConfiguration(
        id: ProviderID = .moonshot,
        dialect: OpenAIDialect = .moonshot,
        defaultModel: String? = "kimi-k2.6",
        apiKey: String? = testAPIKey,
        requestTimeout: Duration = .seconds(30),
        firstByteTimeout: Duration = .seconds(30),
        streamIdleTimeout: Duration = .seconds(30)
    ) -> ProviderConfiguration {
        ProviderConfiguration(
            id: id, kind: .openAICompatible, baseURL: baseURL + "/v1", apiKey: apiKey.map(Secret.init),
            apiKeyVariable: "MOONSHOT_API_KEY", defaultModel: defaultModel, defaultEmbeddingModel: "echo-embed",
            requestTimeout: requestTimeout, firstByteTimeout: firstByteTimeout, streamIdleTimeout: streamIdleTimeout,
            dialect: dialect)
    }

    func openAIProvider(
        id: ProviderID = .moonshot,
        dialect: OpenAIDialect = .moonshot,
        defaultModel: String? = "kimi-k2.6",
        apiKey: String? = testAPIKey,
        requestTimeout: Duration = .seconds(30),
        firstByteTimeout: Duration = .seconds(30),
        streamIdleTimeout: Duration = .seconds(30),
        registry: ModelRegistry = .empty
    ) -> OpenAICompatibleProvider {
        OpenAICompatibleProvider(
            configuration: openAIConfiguration(
                id: id, dialect: dialect, defaultModel: defaultModel, apiKey: apiKey, requestTimeout: requestTimeout,
                firstByteTimeout: firstByteTimeout, streamIdleTimeout: streamIdleTimeout),
            registry: registry, httpClient: SharedHTTPClient.client(), logger: testLogger)
    }

    func anthropicConfiguration(
        apiKey: String? = testAPIKey,
        requestTimeout: Duration = .seconds(30),
        streamIdleTimeout: Duration = .seconds(30)
    ) -> ProviderConfiguration {
        ProviderConfiguration(
            id: .anthropic, kind: .anthropic, baseURL: baseURL, apiKey: apiKey.map(Secret.init),
            apiKeyVariable: "ANTHROPIC_API_KEY", defaultModel: "claude-sonnet-4-5", requestTimeout: requestTimeout,
            streamIdleTimeout: streamIdleTimeout)
    }

    func anthropicProvider(apiKey: String? = testAPIKey, registry: ModelRegistry = .empty) -> AnthropicProvider {
        AnthropicProvider(
            configuration: anthropicConfiguration(apiKey: apiKey), registry: registry, httpClient: SharedHTTPClient.client(),
            logger: testLogger)
    }

    /// The JSON body of the `index`-th request received.
    func requestBody(_ index: Int = 0) throws -> JSONValue {
        let requests = recordedRequests()
        guard index < requests.count else { throw TestFailure("no request #\(index); got \(requests.count)") }
        return try JSONValue(parsing: Data(requests[index].body))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` and returns the `KimiSwarmError` it throws, or fails.
func expectKimiError(_ body: () async throws -> Void) async throws -> KimiSwarmError {
    do {
        try await body()
    } catch let error as KimiSwarmError {
        return error
    } catch {
        throw TestFailure("expected a KimiSwarmError, got \(type(of: error)): \(error)")
    }
    throw TestFailure("expected a KimiSwarmError, but nothing was thrown")
}

/// Collects every event of a stream.
func collectEvents(_ stream: ChatStream) async throws -> [ChatStreamEvent] {
    var events: [ChatStreamEvent] = []
    for try await event in stream { events.append(event) }
    return events
}
