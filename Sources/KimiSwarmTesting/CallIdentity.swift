import Foundation

/// What a model call is, read from its body: which step of a swarm run sent it (the planner,
/// the synthesiser, or an agent and its turn), and hashes that tell attempts of one call apart
/// from other calls.
///
/// Roles are recognised by the engine's fixed system prompts and agents by the
/// `# Your assignment (<id>)` line, as ``SwarmScript`` does; any other call is a `call`.
struct CallIdentity: Sendable {
    /// `planner`, `synthesiser`, `agent` or `call`.
    var role = "call"
    /// The sub-task id of an agent's call.
    var agent: String?
    /// Assistant messages already in the conversation: 0 for an agent's first turn.
    var turn = 0
    /// Whether the call asks for a stream.
    var stream = false
    /// The requested model.
    var model: String?
    /// FNV-1a of the raw body bytes (differs between attempts encoded differently).
    var bodyHash: String
    /// FNV-1a of the `messages` (or embeddings `input`) re-encoded with sorted keys: the same for
    /// every attempt of one call however its body was encoded; `nil` without a JSON body.
    var contentHash: String?
    /// The start of the last user message's text (at most 200 characters).
    var lastUserText = ""

    /// Reads the identity of `request`.
    init(_ request: RecordedRequest) {
        bodyHash = Self.fnv1a(request.body)
        guard let object = request.jsonObject() else { return }
        stream = object["stream"] as? Bool ?? false
        model = object["model"] as? String
        let content = object["messages"] ?? object["input"]
        if let content, let data = try? JSONSerialization.data(withJSONObject: content, options: [.sortedKeys, .fragmentsAllowed]) {
            contentHash = Self.fnv1a(Array(data))
        }
        let messages = object["messages"] as? [[String: Any]] ?? []
        turn = messages.filter { $0["role"] as? String == "assistant" }.count
        lastUserText = String((messages.last { $0["role"] as? String == "user" }.map(Self.text) ?? "").prefix(200))
        let system = messages.first.map(Self.text) ?? ""
        if system.hasPrefix("You are the planner of KimiSwarm") {
            role = "planner"
        } else if system.hasPrefix("You are the synthesiser of KimiSwarm") {
            role = "synthesiser"
        } else if let assignment = messages.dropFirst().first.map(Self.text), let id = SwarmScript.agentID(in: assignment) {
            role = "agent"
            agent = id
        }
    }

    /// The text of a message's `content`: a string, or its text parts joined by spaces.
    private static func text(_ message: [String: Any]) -> String {
        if let text = message["content"] as? String { return text }
        let parts = message["content"] as? [[String: Any]] ?? []
        return parts.compactMap { $0["text"] as? String }.joined(separator: " ")
    }

    /// 64-bit FNV-1a of `bytes`, as 16 hex digits.
    static func fnv1a(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
