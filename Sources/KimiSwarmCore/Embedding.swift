/// A request for embedding vectors.
public struct EmbeddingRequest: Codable, Sendable, Hashable {
    /// The embedding model; `nil` means the provider's default embedding model.
    public var model: String?
    /// The texts to embed, in order.
    public var inputs: [String]
    /// Requested vector length, for models that support shortening.
    public var dimensions: Int?
    /// An end-user identifier forwarded to the provider.
    public var user: String?

    /// Creates a request.
    public init(model: String? = nil, inputs: [String], dimensions: Int? = nil, user: String? = nil) {
        self.model = model
        self.inputs = inputs
        self.dimensions = dimensions
        self.user = user
    }
}

/// Embedding vectors, one per input, in input order.
public struct EmbeddingResponse: Codable, Sendable, Hashable {
    /// The model that produced them.
    public var model: String
    /// The provider that produced them.
    public var provider: ProviderID
    /// One vector per input, in the order of the request's inputs.
    public var embeddings: [[Float]]
    /// Tokens used (input only).
    public var usage: Usage

    /// Creates a response.
    public init(model: String, provider: ProviderID, embeddings: [[Float]], usage: Usage) {
        self.model = model
        self.provider = provider
        self.embeddings = embeddings
        self.usage = usage
    }
}
