import KimiSwarmCore

/// Walks a ``RoutePlan``'s targets for one call: which target is next, whether a failure
/// may fall back, and the error to throw when every target failed. A value type, shared by
/// ``Router/chat(_:)`` and the router's streams.
///
/// A failure falls back when it is retryable, when its circuit is open, when the provider
/// rate-limited it (even a spent quota, which is not retryable on the same provider), or
/// when the context was too long; after a context overflow only targets whose registry
/// window is larger than the failing one's are tried (targets of unknown window are skipped
/// then). Cancellation,
/// errors other than ``KimiSwarmError`` and invalid-request, auth, content-filter and
/// configuration errors never fall back.
struct FallbackCursor {
    /// A move from a failed target to the next one.
    struct Fallback {
        var from: RouteTarget
        var to: RouteTarget
        var reason: String
        var category: KimiSwarmError.Category
    }

    let plan: RoutePlan
    let contextWindow: (RouteTarget) -> Int?
    private var position = 0
    private var windowFloor: Int?
    private var tried: [RouteTarget] = []
    private var lastError: KimiSwarmError?
    private var pending: (from: RouteTarget, error: KimiSwarmError)?

    init(plan: RoutePlan, contextWindow: @escaping (RouteTarget) -> Int?) {
        self.plan = plan
        self.contextWindow = contextWindow
    }

    /// The next target to try, with the fallback that leads to it (none for the first), or
    /// `nil` when none is left.
    mutating func next() -> (target: RouteTarget, fallback: Fallback?)? {
        while position < plan.targets.count {
            let target = plan.targets[position]
            position += 1
            if let floor = windowFloor {
                guard let window = contextWindow(target), window > floor else { continue }
            }
            var fallback: Fallback?
            if let pending {
                fallback = Fallback(
                    from: pending.from, to: target, reason: Self.reason(of: pending.error), category: pending.error.category)
            }
            pending = nil
            return (target, fallback)
        }
        return nil
    }

    /// Whether targets are left after the current one (some may still be skipped for their
    /// context window).
    var hasMoreTargets: Bool { position < plan.targets.count }

    /// Records that `target` failed with `error`; `true` when the call may fall back.
    mutating func fail(_ target: RouteTarget, with error: any Error) -> Bool {
        tried.append(target)
        guard let error = error as? KimiSwarmError, Self.allowsFallback(error) else { return false }
        lastError = error
        pending = (target, error)
        if error.category == .contextTooLong {
            windowFloor = max(windowFloor ?? 0, contextWindow(target) ?? plan.estimatedPromptTokens)
        }
        return true
    }

    /// Whether an error lets the router try the next target.
    static func allowsFallback(_ error: KimiSwarmError) -> Bool {
        switch error.category {
        case .invalidRequest, .auth, .contentFilter, .configuration, .budget, .internal:
            return false
        case .contextTooLong, .rateLimit:
            // A spent quota (429 insufficient_quota) is not worth retrying on the same
            // provider, but another provider may well answer.
            return true
        case .timeout, .network, .provider:
            return error.isRetryable || error.reason == .circuitOpen
        }
    }

    /// The metric label of a fallback: KimiSwarm's reason (`circuit_open`) or the category.
    static func reason(of error: KimiSwarmError) -> String {
        error.reason?.rawValue ?? error.category.rawValue
    }

    /// The error to throw once ``next()`` returned `nil`.
    func exhaustedError() -> KimiSwarmError {
        let candidates = plan.targets.count + plan.skipped.count
        guard var error = lastError else {
            let names = (plan.targets + plan.skipped.map(\.target)).map(\.description).joined(separator: ", ")
            if candidates == 0 {
                return .configuration(
                    "the router found no target for the request (\(plan.reason))",
                    hint: "Set router.default in the config file, or name a target as provider/model.")
            }
            return KimiSwarmError(
                category: .contextTooLong,
                message: "the estimated prompt (\(plan.estimatedPromptTokens) tokens) fits the context window of none of the router's targets (\(names))",
                recoveryHint: "Shorten the conversation, or add a fallback with a larger context window.",
                reason: .fallbacksExhausted)
        }
        guard candidates > 1 else { return error }
        let names = tried.map(\.description).joined(separator: ", ")
        error.message += "; every target of the fallback chain failed (tried \(names))"
        error.reason = .fallbacksExhausted
        return error
    }
}
