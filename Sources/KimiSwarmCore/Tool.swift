/// Something an agent can call: a name, a description and a JSON Schema the model sees, and
/// an `execute` the engine runs with the model's arguments.
///
/// A tool returns text for the model. A tool that fails throws; the engine sends the error's
/// description back to the model as the tool's result (throw ``ToolError`` for a message
/// written for the model), so a failing tool never ends the run by itself.
public protocol Tool: Sendable {
    /// The name the model calls the tool by (`^[a-zA-Z0-9_-]{1,64}$`).
    var name: String { get }
    /// What the tool does and when to use it, written for the model.
    var description: String { get }
    /// A JSON Schema of the arguments object.
    var parameters: JSONValue { get }

    /// Runs the tool with the model's arguments (already parsed; an object).
    func execute(_ arguments: JSONValue, context: ToolContext) async throws -> String
}

extension Tool {
    /// The definition sent to a model.
    public var definition: ToolDefinition {
        ToolDefinition(name: name, description: description, parameters: parameters)
    }
}

/// Who is calling a tool: the run, the agent and the journal step of the call.
public struct ToolContext: Sendable, Hashable {
    /// The run the call belongs to.
    public var runID: String
    /// The sub-task (agent) that made the call.
    public var agentID: String
    /// The template of that agent.
    public var templateID: String
    /// The journal step id of the call.
    public var stepID: String
    /// How many delegations deep the agent is (0 for a sub-task of the plan).
    public var depth: Int

    /// Creates a context.
    public init(runID: String, agentID: String, templateID: String, stepID: String, depth: Int = 0) {
        self.runID = runID
        self.agentID = agentID
        self.templateID = templateID
        self.stepID = stepID
        self.depth = depth
    }
}

/// An error a tool reports to the model: `message` says what went wrong and, where it
/// helps, what to do instead.
public struct ToolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text the model sees.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
