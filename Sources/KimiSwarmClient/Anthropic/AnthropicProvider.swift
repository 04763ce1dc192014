public import AsyncHTTPClient
import Foundation
public import KimiSwarmCore
public import Logging
import NIOHTTP1

/// A provider for Anthropic's Messages API (`POST /v1/messages`, `x-api-key`,
/// `anthropic-version`), plain and streaming, with tools and thinking.
public struct AnthropicProvider: LLMProvider {
    public let configuration: ProviderConfiguration
    private let registry: ModelRegistry
    private let http: ProviderHTTP

    /// Creates a provider. `httpClient` is shared by every provider of a process.
    public init(configuration: ProviderConfiguration, registry: ModelRegistry, httpClient: HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.registry = registry
        self.http = ProviderHTTP(client: httpClient, provider: configuration, logger: logger)
    }

    public func chat(_ request: ChatRequest) async throws -> ChatResponse {
        let model = try configuration.resolveModel(request.model)
        let (url, headers, body) = try prepare(request, model: model, stream: false)
        let bytes = try await http.send(method: .POST, url: url, headers: headers, body: body)
        return try AnthropicResponseDecoder.chatResponse(bytes, provider: configuration, model: model)
    }

    public func chatStream(_ request: ChatRequest) -> ChatStream {
        do {
            let model = try configuration.resolveModel(request.model)
            let (url, headers, body) = try prepare(request, model: model, stream: true)
            let decoder = AnthropicStreamDecoder(provider: configuration, requestedModel: model)
            return http.chatStream(url: url, headers: headers, body: body, decoder: decoder)
        } catch {
            return .failing(error)
        }
    }

    /// Anthropic has no embeddings API; this always fails with an invalid-request error.
    public func embed(_ request: EmbeddingRequest) async throws -> EmbeddingResponse {
        throw KimiSwarmError.invalidRequest(
            "Anthropic has no embeddings API",
            hint: "Embed with an OpenAI-compatible provider (openai, together, ollama, vllm) instead.", provider: configuration.id)
    }

    public func listModels() async throws -> [ProviderModel] {
        let bytes = try await http.send(
            method: .GET, url: configuration.trimmedBaseURL + "/v1/models?limit=1000", headers: try headers(), body: nil)
        return try AnthropicResponseDecoder.models(bytes, provider: configuration)
    }

    private func prepare(_ request: ChatRequest, model: String, stream: Bool) throws -> (String, HTTPHeaders, Data) {
        let encoder = AnthropicRequestEncoder(provider: configuration, modelEntry: registry.entry(provider: configuration.id, model: model))
        let body = try encoder.body(for: request, model: model, stream: stream)
        return (configuration.trimmedBaseURL + "/v1/messages", try headers(), try body.encodedData())
    }

    private func headers() throws -> HTTPHeaders {
        var headers = HTTPHeaders()
        if let key = try configuration.requireKey() { headers.add(name: "x-api-key", value: key) }
        headers.add(name: "anthropic-version", value: configuration.anthropicVersion)
        return headers
    }
}
