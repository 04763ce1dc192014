import Foundation
package import KimiSwarmClient
package import KimiSwarmCore

/// The OpenAI-compatible gateway's application: chat completions (whole or streamed),
/// embeddings and the model list of a tenant, without HTTP.
///
/// Each call is admitted against the tenant's quotas (``QuotaEnforcer``), goes through the
/// tenant's client (``TenantClients``: the server's keys or the tenant's own) with the response
/// cache scoped to the tenant, holds its maximum cost in the tenant's quota while it runs
/// (priced for the model the router will call, or the dearest fallback it may reach) and is
/// billed after (``UsageMeter``; a cache hit costs 0 and is recorded as a hit). A call whose
/// caller goes away is billed its prompt estimate: the provider may well have billed it.
/// Refusals are ``PlatformError``s; upstream failures are the client's own errors.
package struct GatewayService: Sendable {
    /// The server's client (routing decisions).
    package let client: LLMClient
    /// The client per tenant: the server's, or one with the tenant's own provider keys.
    package let clients: TenantClients
    package let meter: UsageMeter
    package let quotas: QuotaEnforcer
    /// Dates of completions and chunks (`created`).
    package let clock: any SwarmClock

    package init(client: LLMClient, clients: TenantClients, meter: UsageMeter, quotas: QuotaEnforcer, clock: any SwarmClock = SystemClock()) {
        self.client = client
        self.clients = clients
        self.meter = meter
        self.quotas = quotas
        self.clock = clock
    }

    /// Output tokens a call without `max_tokens` holds in the tenant's quota while it runs.
    package static let reservedOutputTokens = 1_024

    /// One chat completion, billed to `principal`.
    package func chat(_ request: ChatRequest, principal: Principal) async throws -> GatewayCompletion {
        let call = try await admit(request, principal: principal)
        defer { call.hold.release() }
        let response: ChatResponse
        let outcomes: [CacheOutcome]
        do {
            (response, outcomes) = try await CacheLayer.withOutcome { try await call.client.chat(call.request, provider: call.provider) }
        } catch is CancellationError {
            // The caller went away (its request's work is cancelled then) or the server is
            // stopping: the provider may well have billed the prompt, so the tenant pays its
            // estimate, as for a stream cut short.
            meter.bill(
                principal, provider: call.billedProvider, model: call.billedModel,
                usage: Usage(promptTokens: call.promptTokens, completionTokens: 0), started: call.started)
            throw CancellationError()
        }
        // The last lookup is the one that answered (earlier ones belong to fallbacks that failed).
        meter.bill(
            principal, provider: response.provider, model: response.model, usage: response.usage, started: call.started,
            cacheHit: outcomes.last?.isHit ?? false)
        let id = response.id.isEmpty ? "chatcmpl-" + UUID().uuidString.lowercased() : response.id
        let created = Int((response.created ?? clock.date()).timeIntervalSince1970)
        return GatewayCompletion(response: response, id: id, created: created)
    }

    /// A streamed chat completion, billed to `principal` when it ends (see ``GatewayStream``).
    ///
    /// The first upstream event is awaited here, so that a call the provider refuses at once
    /// throws before anything is sent to the caller.
    package func chatStream(_ request: ChatRequest, principal: Principal) async throws -> GatewayStream {
        let call = try await admit(request, principal: principal)
        var iterator = call.client.chatStream(call.request, provider: call.provider).makeAsyncIterator()
        let first: ChatStreamEvent?
        let outcomes: [CacheOutcome]
        do {
            // The cache is looked up on the first step; a stream falls back only before it.
            (first, outcomes) = try await CacheLayer.withOutcome { try await iterator.next() }
        } catch {
            call.hold.release()
            throw error
        }
        return GatewayStream(
            call: call, first: first, iterator: iterator, cacheHit: outcomes.last?.isHit ?? false, meter: meter,
            id: "chatcmpl-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased(),
            created: Int(clock.date().timeIntervalSince1970))
    }

    /// Embeddings of `request.inputs`, billed to `principal`.
    package func embeddings(_ request: EmbeddingRequest, principal: Principal) async throws -> EmbeddingResponse {
        try await quotas.admit(principal, budgets: true)
        let started = meter.now
        let tenantClient = try await clients.client(for: principal.tenantID)
        let provider = try provider(for: request.model, client: tenantClient)
        let inputTokens = request.inputs.reduce(0) { $0 + TokenEstimator.estimate($1) }
        let billedProvider = provider ?? tenantClient.configuration.defaultProvider
        let cost = request.model.flatMap {
            tenantClient.cost(provider: billedProvider, model: $0, usage: Usage(promptTokens: inputTokens, completionTokens: 0))
        }
        let hold = try await QuotaHold.reserve(quotas, tenantID: principal.tenantID, costUSD: cost ?? 0, tokens: inputTokens)
        defer { hold.release() }
        let response = try await tenantClient.embed(request, provider: provider)
        meter.bill(principal, provider: response.provider, model: response.model, usage: response.usage, started: started)
        return response
    }

    /// Every model the tenant can call: the registry's and each default model, of the
    /// configured providers that have credentials (the server's, or the tenant's own).
    package func models(principal: Principal) async throws -> [GatewayModel] {
        let client = try await clients.client(for: principal.tenantID)
        let providers = client.configuration.providers
        var seen = Set<String>()
        var list: [GatewayModel] = []
        for id in providers.keys.sorted() where Self.hasCredentials(providers[id]) {
            var ids = client.registry.entries(for: id).map(\.id)
            if let model = providers[id]?.defaultModel { ids.insert(model, at: 0) }
            for model in ids where seen.insert(model).inserted { list.append(GatewayModel(id: model, ownedBy: id.rawValue)) }
        }
        return list
    }

    /// Whether a provider can be called: it needs no key, or it has one.
    package static func hasCredentials(_ settings: ProviderConfiguration?) -> Bool {
        guard let settings else { return false }
        return !settings.requiresAPIKey || !(settings.apiKey?.reveal().isEmpty ?? true)
    }

    /// Admits a chat call: the tenant's quotas, its client, the provider, and the hold.
    private func admit(_ request: ChatRequest, principal: Principal) async throws -> AdmittedCall {
        var request = request
        // The cache is the tenant's own; the provider is always asked for usage (to bill the
        // call), whatever the caller wants to see.
        request.options = RequestOptions(cache: .use, cacheScope: "tenant:\(principal.tenantID)")
        request.streamOptions = StreamOptions(includeUsage: true)
        try await quotas.admit(principal, budgets: true)
        let started = meter.now
        let client = try await clients.client(for: principal.tenantID)
        let provider = try provider(for: request.model, client: client)
        // The call's maximum (at the price of the model the router picks, or of the dearest
        // fallback it may reach) is held in the tenant's quota until it is billed, so calls in
        // parallel cannot overshoot it together.
        let billedProvider = provider ?? client.configuration.defaultProvider
        let billedModel = request.model ?? client.configuration.providers[billedProvider]?.defaultModel ?? "default"
        let promptTokens = TokenEstimator.estimatePromptTokens(request)
        let outputTokens = request.maxTokens ?? Self.reservedOutputTokens
        let hold = try await QuotaHold.reserve(
            quotas, tenantID: principal.tenantID,
            costUSD: RoutedCallPricing(client: client).maximumCost(
                of: request, provider: provider, promptTokens: promptTokens, maxOutputTokens: outputTokens),
            tokens: promptTokens + outputTokens)
        return AdmittedCall(
            request: request, principal: principal, client: client, provider: provider, billedProvider: billedProvider,
            billedModel: billedModel, promptTokens: promptTokens, started: started, hold: hold)
    }

    /// The configured provider that offers `model` when no router decides, else `nil` (the
    /// router, or the default provider). A model only providers without credentials offer (no
    /// key on the server, none of the tenant's) is a `model_not_found` refusal, as OpenAI answers
    /// an unknown model: the caller named something this server cannot serve it.
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
            throw PlatformError(
                .notFound, type: "model_not_found",
                message: "the model `\(model.prefix(100))` is not available: its provider `\(withoutCredentials)` has no credentials here",
                hint: "GET /v1/models lists the models you can use; a tenant admin can add the provider's key (PUT /api/v1/credentials/\(withoutCredentials)).",
                param: "model")
        }
        return nil
    }
}

/// A chat call admitted by ``GatewayService``: what it calls, what it is billed as when the
/// provider's answer does not say, and its hold in the tenant's quota.
struct AdmittedCall: Sendable {
    /// The request as sent: cache scoped to the tenant, usage asked for.
    let request: ChatRequest
    let principal: Principal
    /// The tenant's client.
    let client: LLMClient
    let provider: ProviderID?
    let billedProvider: ProviderID
    /// The model named before the provider's own name is known.
    let billedModel: String
    /// The prompt's estimated tokens.
    let promptTokens: Int
    /// When the call was admitted, on the meter's clock.
    let started: Duration
    let hold: QuotaHold
}
