public import KimiSwarmCore

/// A provider: a ``ChatModel`` that also embeds text and lists its models.
///
/// Each provider is a small type that translates the provider-neutral types to one wire
/// format. Resilience, caching and routing wrap providers behind this same protocol.
public protocol LLMProvider: ChatModel {
    /// The provider's settings.
    var configuration: ProviderConfiguration { get }

    /// Embeds texts; vectors come back in input order.
    func embed(_ request: EmbeddingRequest) async throws -> EmbeddingResponse

    /// The models the provider's API lists.
    func listModels() async throws -> [ProviderModel]
}

extension ProviderConfiguration {
    /// The request's model, or the default model, or a configuration error.
    func resolveModel(_ requested: String?, kind: String = "chat") throws(KimiSwarmError) -> String {
        if let requested, !requested.isEmpty { return requested }
        let fallback = kind == "embedding" ? defaultEmbeddingModel : defaultModel
        if let fallback, !fallback.isEmpty { return fallback }
        throw KimiSwarmError.configuration(
            "no \(kind) model given for provider '\(id)' and it has no default",
            hint: "Pass --model, or set providers.\(id).default_\(kind == "embedding" ? "embedding_" : "")model in the config file.")
    }

    /// The key, or a configuration error naming the variable to set when one is required.
    func requireKey() throws(KimiSwarmError) -> String? {
        if let apiKey, !apiKey.isEmpty { return apiKey.reveal() }
        guard requiresAPIKey else { return nil }
        let variable = apiKeyVariable ?? "the provider's api_key_env"
        throw KimiSwarmError(
            category: .configuration,
            message: "no API key for provider '\(id)': \(variable) is not set",
            recoveryHint: "Set \(variable) in the environment (or api_key_env under providers.\(id) in the config file).",
            provider: id)
    }

    /// The base URL without a trailing slash.
    var trimmedBaseURL: String {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
