import Foundation
public import KimiSwarmCore
import Synchronization

/// Answers the swarm engine's requests on a ``LoopbackProviderServer`` by role, whatever
/// order parallel agents call in: the planner gets `plan`, the synthesiser a summary of what
/// it was given, and each agent what `agent` decides for its turn.
///
/// Install it with `server.setResponder(script.respond)`. Roles are recognised by the
/// engine's fixed system prompts; agents by the `# Your assignment (<id>)` line.
public final class SwarmScript: Sendable {
    /// One agent turn as the model sees it.
    public struct AgentTurn: Sendable {
        /// The sub-task id (`nil` for a delegated agent).
        public var agentID: String?
        /// The full text of the first user message.
        public var assignment: String
        /// Tool results received so far.
        public var toolResults: [String]
        /// Names of the tools offered in this request.
        public var offeredTools: [String]
        /// The whole request body.
        public var body: JSONValue
    }

    /// What an agent does in its turn.
    public enum AgentReply: Sendable {
        case answer(String)
        case toolCalls([ToolCall])
    }

    private struct State {
        var plans: [String]
        var planCalls = 0
        var synthesisCalls = 0
        var agentCalls = 0
    }

    private let state: Mutex<State>
    private let agent: @Sendable (AgentTurn) -> AgentReply
    /// Usage reported on every response.
    public let usage: Usage
    /// Latency before each response's first byte.
    public let latency: Duration

    /// Creates a script. `plans` are returned in order to planning calls (the last repeats).
    public init(
        plans: [String] = [], usage: Usage = Usage(promptTokens: 100, completionTokens: 20), latency: Duration = .zero,
        agent: @escaping @Sendable (AgentTurn) -> AgentReply = { turn in .answer("Findings of \(turn.agentID ?? "delegate").") }
    ) {
        self.state = Mutex(State(plans: plans))
        self.agent = agent
        self.usage = usage
        self.latency = latency
    }

    /// Calls seen so far by role.
    public var counts: (plan: Int, agent: Int, synthesis: Int) {
        state.withLock { ($0.planCalls, $0.agentCalls, $0.synthesisCalls) }
    }

    /// The responder to install on the server.
    public func respond(_ request: RecordedRequest) -> FakeResponse? {
        guard request.path.hasSuffix("/chat/completions"), let body = try? JSONValue(parsing: request.bodyString) else { return nil }
        let messages = body["messages"]?.arrayValue ?? []
        let system = messages.first?["content"]?.stringValue ?? ""
        let stream = body["stream"]?.boolValue ?? false
        let model = body["model"]?.stringValue ?? "echo-1"
        if system.hasPrefix("You are the planner of KimiSwarm") {
            let plan = state.withLock { state -> String in
                state.planCalls += 1
                return state.plans.isEmpty ? #"{"tasks":[]}"# : state.plans[min(state.planCalls, state.plans.count) - 1]
            }
            return reply(content: plan, toolCalls: [], model: model, stream: stream)
        }
        if system.hasPrefix("You are the synthesiser of KimiSwarm") {
            state.withLock { $0.synthesisCalls += 1 }
            let user = messages.dropFirst().first?["content"]?.stringValue ?? ""
            let agents = user.components(separatedBy: "\n## [").count - 1
            return reply(content: "# Synthesis\nMerged \(agents) results.", toolCalls: [], model: model, stream: stream)
        }
        state.withLock { $0.agentCalls += 1 }
        let assignment = messages.dropFirst().first?["content"]?.stringValue ?? ""
        let toolResults = messages.filter { $0["role"]?.stringValue == "tool" }.compactMap { $0["content"]?.stringValue }
        let tools = (body["tools"]?.arrayValue ?? []).compactMap { $0["function"]?["name"]?.stringValue }
        let turn = AgentTurn(
            agentID: Self.agentID(in: assignment), assignment: assignment, toolResults: toolResults, offeredTools: tools, body: body)
        switch agent(turn) {
        case .answer(let text): return reply(content: text, toolCalls: [], model: model, stream: stream)
        case .toolCalls(let calls): return reply(content: nil, toolCalls: calls, model: model, stream: stream)
        }
    }

    static func agentID(in assignment: String) -> String? {
        guard let range = assignment.range(of: "# Your assignment (") else { return nil }
        let rest = assignment[range.upperBound...]
        guard let end = rest.firstIndex(of: ")") else { return nil }
        return String(rest[..<end])
    }

    private func reply(content: String?, toolCalls calls: [ToolCall], model: String, stream: Bool) -> FakeResponse {
        let toolCalls = calls.map { OpenAIWire.ToolCall(id: $0.id, name: $0.name, arguments: $0.arguments) }
        let usage = OpenAIWire.Usage(promptTokens: usage.promptTokens, completionTokens: usage.completionTokens)
        let response =
            stream
            ? OpenAIWire.stream(model: model, content: content, toolCalls: toolCalls, usage: usage, chunkSize: 64)
            : OpenAIWire.chatCompletion(model: model, content: content, toolCalls: toolCalls, usage: usage)
        return latency == .zero ? response : .delayed(latency, response)
    }
}
