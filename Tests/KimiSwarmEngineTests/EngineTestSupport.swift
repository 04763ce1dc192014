import AsyncHTTPClient
import Foundation
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmEngine
import KimiSwarmTesting
import Logging

let engineTestLogger: Logger = {
    var logger = Logger(label: "kimiswarm.engine-tests", factory: { _ in SwiftLogNoOpLogHandler() })
    logger.logLevel = .critical
    return logger
}()

/// The engine tests' own connection pool: loopback servers come and go on recycled ports,
/// and keeping these tests' connections apart from the client tests' pool means neither can
/// pick up a pooled connection to a server of the other that has just shut down.
let engineHTTPClient = SharedHTTPClient.makeClient()

/// A production client pointed at a loopback provider, with limits high enough for swarms.
func loopbackClient(_ server: LoopbackProviderServer, retries: Int = 1) -> LLMClient {
    let configuration = KimiSwarmConfiguration.loopback(baseURL: server.baseURL + "/v1", apiKey: "sk-test-engine", retries: retries)
    return LLMClient(
        configuration: configuration, registry: DefaultModelRegistry.load(), logger: engineTestLogger, httpClient: engineHTTPClient)
}

/// Real prices (kimi-k2.6 on Moonshot), so cost accounting is exercised.
let moonshotPricing = CallPricing(registry: DefaultModelRegistry.load(), provider: .moonshot)

func makeEngine(
    _ server: LoopbackProviderServer, journal: any RunJournal = InMemoryJournal(), library: TemplateLibrary? = nil,
    tools: [any Tool] = [CurrentTimeTool()], streaming: Bool = true
) throws -> SwarmEngine {
    SwarmEngine(
        model: loopbackClient(server), journal: journal, library: try library ?? TemplateLibrary.builtIn(), tools: tools,
        tiers: .single("kimi-k2.6"), pricing: moonshotPricing, streaming: streaming, logger: engineTestLogger)
}

/// Runs `run` while collecting every event.
func runCollecting(_ run: SwarmRun) async -> (RunResult, [RunEventEnvelope]) {
    async let events: [RunEventEnvelope] = {
        var all: [RunEventEnvelope] = []
        for await event in run.events { all.append(event) }
        return all
    }()
    let result = await run.run()
    return (result, await events)
}

extension RunEvent {
    var agentStarted: String? { if case .agentStarted(let agent, _, _, _) = self { agent } else { nil } }
    var agentFinished: String? { if case .agentFinished(let agent, _, _, _, _) = self { agent } else { nil } }
}

/// A tool for tests: answers, fails or hangs as told.
struct ScriptedTool: Tool {
    enum Behaviour: Sendable { case answer(String), fail(String), hang }
    let name: String
    let description = "A scripted test tool."
    let parameters: JSONValue = ["type": "object", "properties": ["q": ["type": "string"]]]
    let behaviour: @Sendable (JSONValue) -> Behaviour

    func execute(_ arguments: JSONValue, context: ToolContext) async throws -> String {
        switch behaviour(arguments) {
        case .answer(let text): return text
        case .fail(let message): throw ToolError(message)
        case .hang:
            try await Task.sleep(for: .seconds(3600))
            return "never"
        }
    }
}

func template(_ id: String, tools: [String] = [], schema: JSONValue? = nil) -> AgentTemplate {
    AgentTemplate(
        id: id, name: id, category: "test", purpose: "Test template \(id).", tools: tools, systemPrompt: "You are \(id).", outputSchema: schema,
        examples: [])
}

func toolCall(_ id: String, _ name: String, _ arguments: String = "{}") -> ToolCall {
    ToolCall(id: id, name: name, arguments: arguments)
}
