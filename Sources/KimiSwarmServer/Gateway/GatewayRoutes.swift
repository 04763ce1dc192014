import Foundation
import HTTPTypes
import Hummingbird
import KimiSwarmClient
import KimiSwarmPlatform
import KimiSwarmCore
import Logging
import NIOCore

/// The OpenAI-compatible gateway under `/v1`: `POST /v1/chat/completions` (plain and SSE
/// streaming, tools both ways), `GET /v1/models` and `POST /v1/embeddings`. Tenant API keys
/// are the bearer tokens; every route needs ``Permission/gateway``.
///
/// Calls go through the production ``LLMClient`` (router, fallbacks, cache scoped to the
/// tenant, rate limits); each is checked against the tenant's quotas first
/// (``QuotaEnforcer``) and billed after (``UsageMeter``; a cache hit costs 0), without waiting on the database.
/// Errors answer in OpenAI's error shape (``ErrorMiddleware`` does that for `/v1/...`).
struct GatewayRoutes {
    /// The server's client (model lists, routing decisions).
    let client: LLMClient
    /// The client per tenant: the server's, or one with the tenant's own provider keys.
    let clients: TenantClients
    let meter: UsageMeter
    let quotas: QuotaEnforcer
    let logger: Logger

    func register(_ api: APIRoutes) {
        api.on(.post, "chat/completions", .gateway) { request, context, principal in try await chat(request, context, principal) }
        api.on(.get, "models", .gateway) { _, _, principal in try Self.json(models(client: try await clients.client(for: principal.tenantID))) }
        api.on(.post, "embeddings", .gateway) { request, context, principal in try await embeddings(request, context, principal) }
    }

    private func chat(_ request: Request, _ context: AppRequestContext, _ principal: Principal) async throws -> Response {
        let parsed = try GatewayChatRequest(json: try await Self.body(request, context), tenantID: principal.tenantID)
        try await quotas.admit(principal, budgets: true)
        let started = meter.now
        let client = try await clients.client(for: principal.tenantID)
        let provider = try provider(for: parsed.chat.model, client: client)
        // The call's maximum (at the price of the model the router picks, or of the dearest
        // fallback it may reach) is held in the tenant's quota until it is billed, so calls in
        // parallel cannot overshoot it together.
        let billedProvider = provider ?? client.configuration.defaultProvider
        let billedModel = parsed.chat.model ?? client.configuration.providers[billedProvider]?.defaultModel ?? "default"
        let promptTokens = TokenEstimator.estimatePromptTokens(parsed.chat)
        let outputTokens = parsed.chat.maxTokens ?? Self.reservedOutputTokens
        let hold = try await QuotaHold.reserve(
            quotas, tenantID: principal.tenantID,
            costUSD: RoutedCallPricing(client: client).maximumCost(
                of: parsed.chat, provider: provider, promptTokens: promptTokens, maxOutputTokens: outputTokens),
            tokens: promptTokens + outputTokens)
        if parsed.stream {
            return try await GatewayChatStream(
                request: parsed, client: client, provider: provider, principal: principal, meter: meter, started: started,
                displayModel: billedModel, fallbackProvider: billedProvider, hold: hold, logger: context.logger
            ).response()
        }
        defer { hold.release() }
        let response: ChatResponse
        let outcomes: [CacheOutcome]
        do {
            (response, outcomes) = try await CacheLayer.withOutcome { try await client.chat(parsed.chat, provider: provider) }
        } catch is CancellationError {
            // The client went away (its request's work is cancelled then) or the server is
            // stopping: the provider may well have billed the prompt, so the tenant pays its
            // estimate, as for a stream cut short.
            meter.bill(principal, provider: billedProvider, model: billedModel, usage: Usage(promptTokens: promptTokens, completionTokens: 0), started: started)
            throw CancellationError()
        }
        // The last lookup is the one that answered (earlier ones belong to fallbacks that failed).
        meter.bill(
            principal, provider: response.provider, model: response.model, usage: response.usage, started: started,
            cacheHit: outcomes.last?.isHit ?? false)
        let id = response.id.isEmpty ? "chatcmpl-" + UUID().uuidString.lowercased() : response.id
        let created = Int((response.created ?? Date()).timeIntervalSince1970)
        return try Self.json(GatewayWire.completion(response, id: id, created: created))
    }

    /// Output tokens a call without `max_tokens` holds in the tenant's quota while it runs.
    static let reservedOutputTokens = 1_024

    /// The configured provider that offers `model` when no router decides, else `nil` (the
    /// router, or the default provider). A model only providers without credentials offer (no
    /// key on the server, none of the tenant's) is a 404 `model_not_found`, as OpenAI answers an
    /// unknown model: the client named something this server cannot serve it.
    private func provider(for model: String?, client: LLMClient) throws -> ProviderID? {
        guard self.client.router == nil, let model else { return nil }
        let configured = client.configuration.providers
        if configured[client.configuration.defaultProvider]?.defaultModel == model { return nil }
        var withoutCredentials: ProviderID?
        for id in configured.keys.sorted() {
            guard configured[id]?.defaultModel == model || client.registry.entry(provider: id, model: model) != nil else { continue }
            if Self.hasCredentials(configured[id]) { return id }
            withoutCredentials = withoutCredentials ?? id
        }
        if let withoutCredentials {
            throw APIError(
                status: .notFound, type: "model_not_found",
                message: "the model `\(model.prefix(100))` is not available: its provider `\(withoutCredentials)` has no credentials here",
                hint: "GET /v1/models lists the models you can use; a tenant admin can add the provider's key (PUT /api/v1/credentials/\(withoutCredentials)).",
                param: "model")
        }
        return nil
    }

    /// Whether a provider can be called: it needs no key, or it has one.
    static func hasCredentials(_ settings: ProviderConfiguration?) -> Bool {
        guard let settings else { return false }
        return !settings.requiresAPIKey || !(settings.apiKey?.reveal().isEmpty ?? true)
    }

    /// Every model the tenant can call: the registry's and each default model, of the
    /// configured providers that have credentials (the server's, or the tenant's own).
    private func models(client: LLMClient) -> JSONValue {
        var seen = Set<String>()
        var list: [(id: String, ownedBy: String, created: Int)] = []
        for id in client.configuration.providers.keys.sorted() where Self.hasCredentials(client.configuration.providers[id]) {
            var ids = client.registry.entries(for: id).map(\.id)
            if let model = client.configuration.providers[id]?.defaultModel { ids.insert(model, at: 0) }
            for model in ids where seen.insert(model).inserted { list.append((model, id.rawValue, 1_700_000_000)) }
        }
        return GatewayWire.modelList(list)
    }

    private func embeddings(_ request: Request, _ context: AppRequestContext, _ principal: Principal) async throws -> Response {
        let body = try await Self.body(request, context)
        guard let object = body.objectValue else { throw APIError.invalidRequest("the body must be a JSON object") }
        let inputs: [String]
        switch object["input"] {
        case .string(let text)?: inputs = [text]
        case .array(let items)? where !items.isEmpty && items.allSatisfy({ $0.stringValue != nil }): inputs = items.compactMap(\.stringValue)
        case nil: throw APIError.invalidRequest("the field `input` is required", param: "input")
        default:
            throw APIError.invalidRequest("`input` must be a string or a non-empty array of strings (token arrays are not supported)", param: "input")
        }
        guard inputs.count <= 2048 else {
            throw APIError.invalidRequest("`input` has \(inputs.count) entries; at most 2048 are allowed", param: "input")
        }
        guard !inputs.contains(where: \.isEmpty) else {
            throw APIError.invalidRequest("`input` must not contain empty strings", param: "input")
        }
        guard let model = object["model"]?.stringValue, !model.isEmpty, model.utf8.count <= 256 else {
            throw APIError.invalidRequest(
                "the field `model` is required (an embedding model id, at most 256 bytes)", hint: "GET /v1/models lists the models.", param: "model")
        }
        let dimensions = try GatewayChatRequest.integer(object, "dimensions", in: 1...65_536)
        let format = try GatewayChatRequest.string(object, "encoding_format") ?? "float"
        guard format == "float" || format == "base64" else {
            throw APIError.invalidRequest("`encoding_format` must be float or base64", param: "encoding_format")
        }
        let user = try GatewayChatRequest.string(object, "user", maxBytes: 256)
        try await quotas.admit(principal, budgets: true)
        let started = meter.now
        let embedding = EmbeddingRequest(model: model, inputs: inputs, dimensions: dimensions, user: user)
        let tenantClient = try await clients.client(for: principal.tenantID)
        let provider = try provider(for: model, client: tenantClient)
        let inputTokens = inputs.reduce(0) { $0 + TokenEstimator.estimate($1) }
        let hold = try await QuotaHold.reserve(
            quotas, tenantID: principal.tenantID,
            costUSD: tenantClient.cost(
                provider: provider ?? tenantClient.configuration.defaultProvider, model: model, usage: Usage(promptTokens: inputTokens, completionTokens: 0))
                ?? 0,
            tokens: inputTokens)
        defer { hold.release() }
        let response = try await tenantClient.embed(embedding, provider: provider)
        meter.bill(principal, provider: response.provider, model: response.model, usage: response.usage, started: started)
        var json = GatewayWire.embeddings(response)
        if format == "base64", case .object(var top) = json {
            top["data"] = .array(response.embeddings.enumerated().map { index, vector in
                ["object": "embedding", "index": .int(index), "embedding": .string(Self.base64(vector))]
            })
            json = .object(top)
        }
        return try Self.json(json)
    }

    /// Little-endian float32 bytes, base64 (OpenAI's `encoding_format: base64`).
    static func base64(_ vector: [Float]) -> String {
        var data = Data(capacity: vector.count * 4)
        for value in vector {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
        }
        return data.base64EncodedString()
    }

    /// The body as JSON, within the size and depth limits, strictly parsed.
    static func body(_ request: Request, _ context: AppRequestContext) async throws -> JSONValue {
        let buffer = try await JSONBody.bytes(request, context: context)
        return try JSONBody.parse(Data(buffer.readableBytesView))
    }

    static func json(_ value: JSONValue) throws -> Response {
        let data = try JSONEncoder.sorted.encode(value)
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
