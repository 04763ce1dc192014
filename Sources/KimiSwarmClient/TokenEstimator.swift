public import KimiSwarmCore

/// Estimates token counts before a call: for context-length routing, tokens-per-minute
/// limits and pre-call cost estimates. An estimate, not a tokenizer: about four characters
/// per token for Latin text, one per CJK character, plus per-message and per-image overheads;
/// within about 15 % of real counts for English prose, and on the high side for code.
public enum TokenEstimator {
    /// Tokens added per message for role markers and separators.
    public static let perMessageOverhead = 4
    /// Tokens counted per image part (a mid-size image at high detail).
    public static let perImage = 850

    /// Estimated tokens of a text.
    public static func estimate(_ text: String) -> Int {
        var latin = 0
        var wide = 0
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x2E80...0x9FFF, 0xAC00...0xD7AF, 0xF900...0xFAFF, 0x3040...0x30FF, 0x20000...0x2FFFF:
                wide += 1
            default:
                latin += 1
            }
        }
        return wide + (latin + 3) / 4
    }

    /// Estimated input tokens of a request: messages, tool calls, tool schemas and images.
    public static func estimatePromptTokens(_ request: ChatRequest) -> Int {
        var total = 3
        for message in request.messages {
            total += perMessageOverhead
            switch message.content {
            case .text(let text)?:
                total += estimate(text)
            case .parts(let parts)?:
                for part in parts {
                    switch part {
                    case .text(let text): total += estimate(text)
                    case .image: total += perImage
                    }
                }
            case nil:
                break
            }
            for call in message.toolCalls { total += estimate(call.name) + estimate(call.arguments) + 3 }
            if let reasoning = message.reasoningContent { total += estimate(reasoning) }
        }
        for tool in request.tools {
            total += estimate(tool.name) + estimate(tool.description ?? "") + estimate(tool.parameters.canonicalText) + 8
        }
        return total
    }

    /// Estimated input tokens plus the most output tokens the call may produce
    /// (`maxTokens`, or `defaultOutput` when the request sets none).
    public static func estimateTotalTokens(_ request: ChatRequest, defaultOutput: Int = 1024) -> Int {
        estimatePromptTokens(request) + (request.maxTokens ?? defaultOutput)
    }
}
