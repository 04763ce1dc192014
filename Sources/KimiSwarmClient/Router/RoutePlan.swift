public import KimiSwarmCore

/// What the router will do with a request: the targets it will try in order, the ones it
/// left out, and why. ``Router/route(_:)`` returns one without sending anything (a dry run).
public struct RoutePlan: Sendable, Hashable, CustomStringConvertible {
    /// A target left out of the chain before any call.
    public struct Skip: Sendable, Hashable {
        /// The target.
        public var target: RouteTarget
        /// Why it was left out.
        public var reason: String

        /// Creates a skip note.
        public init(target: RouteTarget, reason: String) {
            self.target = target
            self.reason = reason
        }
    }

    /// The targets to try, the chosen one first, then its fallbacks; empty when nothing fits.
    public var targets: [RouteTarget]
    /// Targets left out up front (their context window cannot hold the prompt).
    public var skipped: [Skip]
    /// Why the first target was chosen (`rule 1: complexity_above 0.8`, `default`, ...).
    public var reason: String
    /// The index of the matching rule in ``RouterSettings/rules``, if a rule matched.
    public var ruleIndex: Int?
    /// The complexity score the rules saw.
    public var complexity: Double
    /// The estimated prompt tokens the rules and window checks saw.
    public var estimatedPromptTokens: Int

    /// Creates a plan.
    public init(
        targets: [RouteTarget], skipped: [Skip] = [], reason: String, ruleIndex: Int? = nil, complexity: Double,
        estimatedPromptTokens: Int
    ) {
        self.targets = targets
        self.skipped = skipped
        self.reason = reason
        self.ruleIndex = ruleIndex
        self.complexity = complexity
        self.estimatedPromptTokens = estimatedPromptTokens
    }

    /// The chosen target, if any fits.
    public var primary: RouteTarget? { targets.first }

    /// The fallbacks after the chosen target.
    public var fallbacks: [RouteTarget] { Array(targets.dropFirst()) }

    /// A few lines for a dry run.
    public var description: String {
        var lines = [
            "target: \(primary?.description ?? "none")",
            "why: \(reason)",
            "complexity: \((complexity * 100).rounded() / 100), estimated prompt tokens: \(estimatedPromptTokens)",
        ]
        if !fallbacks.isEmpty { lines.append("fallbacks: \(fallbacks.map(\.description).joined(separator: " → "))") }
        for skip in skipped { lines.append("skipped \(skip.target): \(skip.reason)") }
        return lines.joined(separator: "\n")
    }
}
