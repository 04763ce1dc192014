/// Something that answers chat requests: a provider, a layer that wraps one, or a fake.
///
/// The engine receives a `ChatModel`; it does not know which provider or layers sit behind it.
public protocol ChatModel: Sendable {
    /// Sends a request and waits for the whole answer.
    func chat(_ request: ChatRequest) async throws -> ChatResponse

    /// Sends a request and streams the answer as it arrives.
    func chatStream(_ request: ChatRequest) -> ChatStream
}
