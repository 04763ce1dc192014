public import CoreMetrics
public import KimiSwarmCore
public import Logging
import Metrics
import Synchronization

/// A circuit breaker per model of the provider it wraps (one ``CircuitBreaker`` per model id,
/// created on first use).
///
/// An open circuit fails fast with a non-retryable ``KimiSwarmError`` of category `provider`,
/// reason ``KimiSwarmError/Reason/circuitOpen`` and the remaining cool-down as
/// ``KimiSwarmError/retryAfter``, so that a router can fall back to another model.
///
/// Failures that count are those of categories `provider`, `network` and `timeout`.
/// `rate_limit` does not count: a 429 (or a full local bulkhead) says the upstream is alive but
/// throttling, which the retry layer's `Retry-After` handling and the rate limiter address;
/// opening the circuit on it would turn throttling into an outage. Request errors
/// (`invalid_request`, `auth`, `context_too_long`, `content_filter`, `configuration`, ...) and
/// `CancellationError` say nothing about the upstream's health and do not count either.
///
/// A stream counts as a success when it finishes and as a failure when it throws a counting
/// error; a stream dropped early counts as neither.
///
/// Transitions are logged (warning on open, info otherwise) and counted in
/// `kimiswarm_circuit_transitions_total{provider,model,to}`; the gauge
/// `kimiswarm_circuit_state{provider,model}` reads 0 closed, 1 half-open, 2 open.
public final class CircuitBreakerLayer: LLMProvider {
    /// The wrapped provider.
    public let base: any LLMProvider
    /// The settings of every circuit.
    public let settings: CircuitBreakerSettings
    private let clock: any SwarmClock
    private let logger: Logger
    private let breakers = Mutex<[String: CircuitBreaker]>([:])
    private let metrics: any MetricsFactory

    /// Wraps `base`. `metrics` receives the layer's series (the global `MetricsSystem` when `nil`).
    public init(
        _ base: any LLMProvider, settings: CircuitBreakerSettings, clock: any SwarmClock, logger: Logger,
        metrics: (any MetricsFactory)? = nil
    ) {
        self.base = base
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.metrics = metrics ?? MetricsSystem.factory
    }

    public var configuration: ProviderConfiguration { base.configuration }

    /// The state of each model's circuit (model id → state), for health checks.
    public func states() -> [String: CircuitState] {
        let now = clock.now()
        return breakers.withLock { breakers in breakers.mapValues { $0.state(at: now) } }
    }

    public func chat(_ request: ChatRequest) async throws -> ChatResponse {
        let model = configuration.modelKey(request.model)
        return try await guarded(model: model) { try await base.chat(request) }
    }

    public func chatStream(_ request: ChatRequest) -> ChatStream {
        let model = configuration.modelKey(request.model)
        let layer = self
        return ChatStream { CircuitStreamProducer(layer: layer, request: request, model: model) }
    }

    public func embed(_ request: EmbeddingRequest) async throws -> EmbeddingResponse {
        let model = configuration.modelKey(request.model, kind: "embedding")
        return try await guarded(model: model) { try await base.embed(request) }
    }

    /// Lists models without a circuit: it is a cheap metadata call that health checks rely on.
    public func listModels() async throws -> [ProviderModel] {
        try await base.listModels()
    }

    /// Whether an error says the upstream is unhealthy.
    public static func counts(_ error: any Error) -> Bool {
        guard let error = error as? KimiSwarmError else { return false }
        switch error.category {
        case .provider, .network, .timeout: return error.reason != .circuitOpen
        default: return false
        }
    }

    private func guarded<T>(model: String, _ operation: () async throws -> T) async throws -> T {
        let probe = try admit(model: model)
        do {
            let value = try await operation()
            record(model: model, probe: probe, error: nil)
            return value
        } catch {
            record(model: model, probe: probe, error: error)
            throw error
        }
    }

    /// Admits a call or throws the fail-fast error; returns whether the call is a probe.
    func admit(model: String) throws(KimiSwarmError) -> Bool {
        let now = clock.now()
        let (admission, transition, isNew) = breakers.withLock { breakers in
            let isNew = breakers[model] == nil
            var breaker = breakers[model] ?? CircuitBreaker(settings: settings)
            defer { breakers[model] = breaker }
            let (admission, transition) = breaker.admit(now: now)
            return (admission, transition, isNew)
        }
        if isNew {
            // Publish the state from the first call, so dashboards see closed circuits too.
            Gauge(
                label: "kimiswarm_circuit_state", dimensions: [("provider", configuration.id.rawValue), ("model", model)], factory: metrics
            ).record(CircuitState.closed.gaugeValue)
        }
        if let transition { report(transition, model: model) }
        switch admission {
        case .allowed(let probe):
            return probe
        case .rejected(let retryAfter):
            let wait = retryAfter.map { " for another \(RateLimitLayer.describe($0))" } ?? " (a probe is in flight)"
            throw KimiSwarmError(
                category: .provider,
                message: "the circuit for \(configuration.id)/\(model) is open after repeated failures; failing fast\(wait)",
                recoveryHint: "Wait for the cool-down, or fall back to another provider or model.",
                isRetryable: false, provider: configuration.id, retryAfter: retryAfter, reason: .circuitOpen)
        }
    }

    /// Records a call's outcome: `error` nil for success.
    func record(model: String, probe: Bool, error: (any Error)?) {
        let now = clock.now()
        let transition = breakers.withLock { breakers -> CircuitState? in
            guard var breaker = breakers[model] else { return nil }
            defer { breakers[model] = breaker }
            guard let error else { return breaker.recordSuccess(now: now, probe: probe) }
            guard Self.counts(error) else {
                breaker.recordIgnored(probe: probe)
                return nil
            }
            return breaker.recordFailure(now: now, probe: probe)
        }
        if let transition { report(transition, model: model) }
    }

    /// Frees a probe slot of a call whose outcome is unknown (a stream dropped early).
    func abandon(model: String, probe: Bool) {
        breakers.withLock { breakers in breakers[model]?.recordIgnored(probe: probe) }
    }

    private func report(_ state: CircuitState, model: String) {
        let provider = configuration.id.rawValue
        let metadata: Logger.Metadata = ["provider": "\(provider)", "model": "\(model)", "state": "\(state.rawValue)"]
        switch state {
        case .open: logger.warning("circuit opened", metadata: metadata)
        case .halfOpen: logger.info("circuit half-open: probing", metadata: metadata)
        case .closed: logger.info("circuit closed", metadata: metadata)
        }
        Counter(
            label: "kimiswarm_circuit_transitions_total",
            dimensions: [("provider", provider), ("model", model), ("to", state.rawValue)], factory: metrics
        ).increment()
        Gauge(label: "kimiswarm_circuit_state", dimensions: [("provider", provider), ("model", model)], factory: metrics)
            .record(state.gaugeValue)
    }
}

/// Plays a stream through the circuit: admitted on the first step, recorded when it finishes
/// or fails, abandoned (probe slot freed) when dropped early.
private struct CircuitStreamProducer: ChatStreamProducer {
    let layer: CircuitBreakerLayer
    let request: ChatRequest
    let model: String
    var iterator: ChatStream.AsyncIterator?
    var ticket: CircuitTicket?

    init(layer: CircuitBreakerLayer, request: ChatRequest, model: String) {
        self.layer = layer
        self.request = request
        self.model = model
    }

    mutating func next() async throws -> ChatStreamEvent? {
        if iterator == nil {
            let probe = try layer.admit(model: model)
            ticket = CircuitTicket(layer: layer, model: model, probe: probe)
            iterator = layer.base.chatStream(request).makeAsyncIterator()
        }
        do {
            let event = try await iterator!.next()
            if event == nil { ticket?.finish(error: nil) }
            return event
        } catch {
            ticket?.finish(error: error)
            throw error
        }
    }
}

/// The outcome of one admitted stream, recorded once; abandoned on deinit if never recorded.
private final class CircuitTicket {
    let layer: CircuitBreakerLayer
    let model: String
    let probe: Bool
    var done = false

    init(layer: CircuitBreakerLayer, model: String, probe: Bool) {
        self.layer = layer
        self.model = model
        self.probe = probe
    }

    func finish(error: (any Error)?) {
        guard !done else { return }
        done = true
        layer.record(model: model, probe: probe, error: error)
    }

    deinit {
        if !done { layer.abandon(model: model, probe: probe) }
    }
}
