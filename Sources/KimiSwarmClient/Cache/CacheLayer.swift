public import KimiSwarmCore

/// A provider that answers from a ``ResponseCache`` and stores what the provider it wraps
/// answers.
///
/// Per request, ``RequestOptions/cache`` decides: ``CachePolicy/use`` reads and stores,
/// ``CachePolicy/refresh`` stores without reading, ``CachePolicy/bypass`` does neither. Entries
/// are keyed by ``CacheKey`` (scope, provider, resolved model and the request's content) and
/// live in ``RequestOptions/cacheScope``; two scopes never share an entry.
///
/// What is not cached (see ``isCacheable(_:)``): errors (nothing is stored unless the provider
/// returned a response, or a stream reached `.finished`); responses cut short by the token
/// limit (`length`) or withheld by a content filter (`content_filter`), which a caller usually
/// retries with other settings and which should then reach the model; and empty responses
/// (no text and no tool calls).
///
/// A streamed request on a hit replays the cached response as a stream
/// (``replayEvents(for:)``); on a miss it streams from the provider and stores the assembled
/// response when, and only when, the stream finishes normally. Streamed and non-streamed
/// requests with the same content share entries.
///
/// How a caller learns that an answer came from the cache: the ``ChatResponse`` is returned
/// unchanged (byte for byte what was stored); the outcome of each call is reported to a
/// ``CacheOutcomeRecorder`` installed with ``withOutcome(isolation:_:)`` (a task-local value,
/// which also reaches streams iterated inside it), and counted in ``ResponseCache/statistics``.
public struct CacheLayer: LLMProvider {
    /// The provider asked on a miss.
    public let upstream: any LLMProvider
    /// The cache.
    public let cache: ResponseCache
    /// How long stored entries live; `nil` uses the cache's default.
    public let ttl: Duration?

    /// The recorder that receives the outcomes of calls made in the current task, if any.
    @TaskLocal public static var outcomeRecorder: CacheOutcomeRecorder?

    /// Wraps `upstream` with `cache`.
    public init(wrapping upstream: any LLMProvider, cache: ResponseCache, ttl: Duration? = nil) {
        self.upstream = upstream
        self.cache = cache
        self.ttl = ttl
    }

    /// The wrapped provider's settings.
    public var configuration: ProviderConfiguration { upstream.configuration }

    public func chat(_ request: ChatRequest) async throws -> ChatResponse {
        guard request.options.cache != .bypass, let key = key(for: request) else {
            Self.record(.bypass)
            return try await upstream.chat(request)
        }
        let scope = request.options.cacheScope
        if request.options.cache == .use {
            if let hit = await cache.lookup(key.key, scope: scope) {
                Self.record(.hit(hit.tier))
                return hit.response
            }
            Self.record(.miss)
        } else {
            Self.record(.refresh)
        }
        let response = try await upstream.chat(request)
        await store(response, key: key, scope: scope)
        return response
    }

    public func chatStream(_ request: ChatRequest) -> ChatStream {
        let layer = self
        return ChatStream { CacheStreamProducer(layer: layer, request: request) }
    }

    /// Passed through: embeddings are not cached.
    public func embed(_ request: EmbeddingRequest) async throws -> EmbeddingResponse {
        try await upstream.embed(request)
    }

    /// Passed through.
    public func listModels() async throws -> [ProviderModel] {
        try await upstream.listModels()
    }

    /// Whether a response may be stored: not when it stopped at the token limit or a content
    /// filter, and not when it has neither text nor tool calls.
    public static func isCacheable(_ response: ChatResponse) -> Bool {
        if response.finishReason == .length || response.finishReason == .contentFilter { return false }
        return !response.text.isEmpty || !response.toolCalls.isEmpty
    }

    /// The events a cached response replays as: its reasoning, its text, one fragment per tool
    /// call (whole arguments), its usage, then `.finished` with the response itself.
    public static func replayEvents(for response: ChatResponse) -> [ChatStreamEvent] {
        var events: [ChatStreamEvent] = []
        if let reasoning = response.message.reasoningContent, !reasoning.isEmpty {
            events.append(.reasoningDelta(reasoning))
        }
        if !response.text.isEmpty { events.append(.contentDelta(response.text)) }
        for (index, call) in response.toolCalls.enumerated() {
            events.append(.toolCallDelta(ToolCallDelta(index: index, id: call.id, name: call.name, argumentsFragment: call.arguments)))
        }
        events.append(.usage(response.usage))
        events.append(.finished(response))
        return events
    }

    /// Runs `body` with a fresh ``CacheOutcomeRecorder`` installed and returns its result with
    /// the outcomes of the cache calls made inside (streams included when iterated inside).
    public static func withOutcome<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async rethrows -> (result: T, outcomes: [CacheOutcome]) {
        let recorder = CacheOutcomeRecorder()
        let result = try await $outcomeRecorder.withValue(recorder) { try await body() }
        return (result, recorder.all)
    }

    // MARK: - Internals shared with the stream producer

    /// The key of `request` and the model it resolves to; `nil` when no model can be
    /// resolved (the provider then reports the problem itself).
    func key(for request: ChatRequest) -> (key: CacheKey, model: String)? {
        guard let model = try? upstream.configuration.resolveModel(request.model) else { return nil }
        return (CacheKey(provider: upstream.configuration.id, model: model, request: request), model)
    }

    func store(_ response: ChatResponse, key: (key: CacheKey, model: String), scope: String) async {
        guard Self.isCacheable(response) else { return }
        await cache.store(
            response, key: key.key, scope: scope, provider: upstream.configuration.id, model: key.model, ttl: ttl)
    }

    static func record(_ outcome: CacheOutcome) {
        outcomeRecorder?.record(outcome)
    }
}
