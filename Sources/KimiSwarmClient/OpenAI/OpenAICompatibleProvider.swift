public import AsyncHTTPClient
import Foundation
public import KimiSwarmCore
public import Logging
import NIOHTTP1

/// A provider that speaks OpenAI's `/chat/completions` wire format: Moonshot (Kimi), OpenAI,
/// Together, OpenRouter, vLLM, Ollama, and Azure OpenAI (deployment URLs, `api-version`,
/// `api-key` header).
public struct OpenAICompatibleProvider: LLMProvider {
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
        return try OpenAIResponseDecoder.chatResponse(
            bytes, provider: configuration, model: model, stripSpecialTokens: stripsSpecialTokens(model))
    }

    public func chatStream(_ request: ChatRequest) -> ChatStream {
        do {
            let model = try configuration.resolveModel(request.model)
            let (url, headers, body) = try prepare(request, model: model, stream: true)
            let decoder = OpenAIStreamDecoder(
                provider: configuration, requestedModel: model, stripSpecialTokens: stripsSpecialTokens(model))
            return http.chatStream(url: url, headers: headers, body: body, decoder: decoder)
        } catch {
            return .failing(error)
        }
    }

    public func embed(_ request: EmbeddingRequest) async throws -> EmbeddingResponse {
        let model = try configuration.resolveModel(request.model, kind: "embedding")
        guard !request.inputs.isEmpty else {
            throw KimiSwarmError.invalidRequest("an embedding request needs at least one input", provider: configuration.id)
        }
        var body: [String: JSONValue] = [
            "model": .string(model), "input": .array(request.inputs.map(JSONValue.string)), "encoding_format": "float",
        ]
        if let dimensions = request.dimensions { body["dimensions"] = .int(dimensions) }
        if let user = request.user { body["user"] = .string(user) }
        let bytes = try await http.send(
            method: .POST, url: try url(operation: "embeddings", model: model), headers: try authHeaders(),
            body: try JSONValue.object(body).encodedData())
        return try OpenAIResponseDecoder.embeddings(bytes, provider: configuration, model: model, expected: request.inputs.count)
    }

    public func listModels() async throws -> [ProviderModel] {
        let url: String
        if configuration.kind == .azureOpenAI {
            url = try azureEndpoint() + "/openai/models?api-version=" + percentEncodeQuery(configuration.azureAPIVersion)
        } else {
            url = configuration.trimmedBaseURL + "/models"
        }
        let bytes = try await http.send(method: .GET, url: url, headers: try authHeaders(), body: nil)
        return try OpenAIResponseDecoder.models(bytes, provider: configuration)
    }

    // MARK: - Request building

    private func prepare(_ request: ChatRequest, model: String, stream: Bool) throws -> (String, HTTPHeaders, Data) {
        guard !request.messages.isEmpty else {
            throw KimiSwarmError.invalidRequest("a chat request needs at least one message", provider: configuration.id)
        }
        let encoder = OpenAIRequestEncoder(provider: configuration, modelEntry: registry.entry(provider: configuration.id, model: model))
        let body = try encoder.body(for: request, model: model, stream: stream)
        return (try url(operation: "chat/completions", model: model), try authHeaders(), try body.encodedData())
    }

    private func stripsSpecialTokens(_ model: String) -> Bool {
        OpenAIRequestEncoder.isKimi(model: model, dialect: configuration.dialect)
    }

    private func url(operation: String, model: String) throws -> String {
        guard configuration.kind == .azureOpenAI else {
            return configuration.trimmedBaseURL + "/" + operation
        }
        let deployment = configuration.azureDeployments[model] ?? model
        let encoded = deployment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? deployment
        return try azureEndpoint() + "/openai/deployments/\(encoded)/\(operation)?api-version="
            + percentEncodeQuery(configuration.azureAPIVersion)
    }

    private func azureEndpoint() throws -> String {
        let endpoint = configuration.trimmedBaseURL
        guard !endpoint.isEmpty else {
            throw KimiSwarmError(
                category: .configuration, message: "no endpoint for provider '\(configuration.id)': AZURE_OPENAI_ENDPOINT is not set",
                recoveryHint: "Set AZURE_OPENAI_ENDPOINT to https://<resource>.openai.azure.com (or providers.azure.base_url in the config file).",
                provider: configuration.id)
        }
        return endpoint
    }

    private func percentEncodeQuery(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["&", "=", "+"])) ?? value
    }

    private func authHeaders() throws -> HTTPHeaders {
        var headers = HTTPHeaders()
        if let key = try configuration.requireKey() {
            if configuration.kind == .azureOpenAI {
                headers.add(name: "api-key", value: key)
            } else {
                headers.add(name: "authorization", value: "Bearer \(key)")
            }
        }
        return headers
    }
}
