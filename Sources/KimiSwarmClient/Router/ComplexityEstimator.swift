public import KimiSwarmCore
import Foundation

/// Scores how demanding a request is, from 0 (trivial) to 1 (hard), for the router's
/// `complexity_above` rules. Pure and cheap; a heuristic, not a model.
///
/// The score is a weighted sum of six features, each capped at 1, so it rises with each:
/// - prompt length: estimated prompt tokens / 4,000 (weight 0.25);
/// - code: fenced code blocks in the messages / 2 (weight 0.15);
/// - analytical vocabulary: distinct words such as "design", "architecture", "prove",
///   "analyze", "trade-offs" in user and system messages / 4 (weight 0.25);
/// - tools offered / 5 (weight 0.10);
/// - conversation depth: messages / 20 (weight 0.10);
/// - thinking requested (weight 0.15).
///
/// `request.options.complexity`, when set, overrides the estimate (clamped to 0...1).
public enum ComplexityEstimator {
    /// Words that suggest multi-step or analytical work (matched case-insensitively as substrings).
    public static let analyticalVocabulary: [String] = [
        "design", "architecture", "architect", "prove", "proof", "analyze", "analyse", "analysis",
        "trade-off", "tradeoff", "step by step", "step-by-step", "compare", "evaluate", "optimize",
        "optimise", "refactor", "derive", "reason", "plan", "strategy", "root cause", "debug",
        "security", "threat model", "scalab", "algorithm", "complexity", "formal",
    ]

    /// The request's complexity in 0...1: the override when set, else the estimate.
    public static func score(_ request: ChatRequest) -> Double {
        if let override = request.options.complexity {
            return override.isFinite ? min(1, max(0, override)) : 0
        }
        return estimate(request)
    }

    /// The heuristic estimate in 0...1, ignoring any override.
    public static func estimate(_ request: ChatRequest) -> Double {
        let tokens = Double(TokenEstimator.estimatePromptTokens(request))
        var text = ""
        for message in request.messages where message.role == .user || message.role == .system {
            text += message.text.lowercased()
            text += "\n"
        }
        let fences = request.messages.reduce(0) { $0 + $1.text.components(separatedBy: "```").count - 1 }
        let codeBlocks = Double(fences / 2 + fences % 2)
        let vocabulary = Double(analyticalVocabulary.filter { text.contains($0) }.count)
        var score = 0.25 * capped(tokens / 4000)
        score += 0.15 * capped(codeBlocks / 2)
        score += 0.25 * capped(vocabulary / 4)
        score += 0.10 * capped(Double(request.tools.count) / 5)
        score += 0.10 * capped(Double(request.messages.count) / 20)
        if request.thinking?.isEnabled == true { score += 0.15 }
        return min(1, max(0, score))
    }

    private static func capped(_ value: Double) -> Double { min(1, max(0, value)) }
}
