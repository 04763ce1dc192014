import Foundation
import KimiSwarmCore
package import KimiSwarmEngine
package import KimiSwarmStore

/// A finished run as a Markdown report: the answer, then what each sub-agent did and cost.
package enum RunMarkdown {
    package static func render(run: RunRecord, result: RunResult?) -> String {
        var lines = ["# Run \(run.id)", "", "**Task:** \(run.task)", "", "**Status:** \(run.status.rawValue)  ", "**Cost:** $\(run.costUSD) · \(run.promptTokens + run.completionTokens) tokens", ""]
        guard let result else {
            lines.append("_No result was recorded._")
            return lines.joined(separator: "\n") + "\n"
        }
        if let error = result.error { lines += ["> \(error)", ""] }
        if !result.limitsHit.isEmpty { lines += ["Limits reached: \(result.limitsHit.joined(separator: ", "))", ""] }
        lines += ["## Answer", "", result.answer ?? "_No answer._", ""]
        if !result.agents.isEmpty {
            lines += ["## Sub-agents", "", "| agent | template | state | tokens | cost (USD) | seconds |", "| --- | --- | --- | ---: | ---: | ---: |"]
            for agent in result.agents {
                let tokens = agent.usage.promptTokens + agent.usage.completionTokens
                lines.append("| \(cell(agent.id)) | \(cell(agent.template)) | \(agent.state.rawValue) | \(tokens) | \(agent.costUSD) | \(String(format: "%.1f", agent.seconds)) |")
            }
            lines.append("")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
}
