import AsyncHTTPClient
import Foundation
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmEngine
import KimiSwarmTesting
import Logging

/// The engine's benchmark: a planned swarm of `agents` sub-agents making `toolCalls` tool
/// calls in all, against a loopback provider that answers every call after `latency`,
/// through the production client over real HTTP.
struct SwarmBenchmark {
    var agents = 100
    var toolCalls = 1500
    var latency: Duration = .milliseconds(200)
    var toolCallsPerTurn = 5
    var concurrency: Int?

    struct Report: Encodable {
        var agents: Int
        var completedAgents: Int
        var toolCalls: Int
        var toolResultEvents: Int
        var llmCalls: Int
        var events: Int
        var latencyMilliseconds: Double
        var wallSeconds: Double
        var criticalPathSeconds: Double
        var ratio: Double
        var sumOfAgentSeconds: Double
        var parallelSpeedup: Double
        var status: String
    }

    static let workerTemplate = AgentTemplate(
        id: "bench-worker", name: "Benchmark worker", category: "benchmark", purpose: "Calls bench_lookup, then answers.",
        tools: ["bench_lookup"], systemPrompt: "You look things up with bench_lookup and report what you found.")

    struct LookupTool: Tool {
        let name = "bench_lookup"
        let description = "Looks up a key."
        let parameters: JSONValue = ["type": "object", "properties": ["key": ["type": "string"]], "required": ["key"]]
        func execute(_ arguments: JSONValue, context: ToolContext) async throws -> String {
            "value of \(arguments["key"]?.stringValue ?? "?")"
        }
    }

    func plan() -> String {
        let tasks = (1...agents).map { #"{"id":"agent-\#($0)","template":"bench-worker","instructions":"Look up part \#($0)."}"# }
        return #"{"tasks":["# + tasks.joined(separator: ",") + "]}"
    }

    func run() async throws -> Report {
        let perAgent = toolCalls / agents
        let extra = toolCalls % agents
        let perTurn = toolCallsPerTurn
        let script = SwarmScript(plans: [plan()], latency: latency) { turn in
            let index = Int(turn.agentID?.split(separator: "-").last ?? "") ?? 0
            let target = perAgent + (index <= extra ? 1 : 0)
            let done = turn.toolResults.count
            guard done < target else { return .answer("Part \(index): \(done) values found.") }
            let calls = (done..<min(target, done + perTurn)).map {
                ToolCall(id: "call-\(index)-\($0)", name: "bench_lookup", arguments: #"{"key":"k\#(index)-\#($0)"}"#)
            }
            return .toolCalls(calls)
        }
        let server = try await LoopbackProviderServer.start()
        do {
            server.setResponder(script.respond)
            let report = try await measure(server)
            try await server.shutdown()
            return report
        } catch {
            try? await server.shutdown()
            throw error
        }
    }

    private func measure(_ server: LoopbackProviderServer) async throws -> Report {
        var configuration = KimiSwarmConfiguration()
        configuration.retry.maxAttempts = 1
        configuration.rateLimit.maxRequests = 10_000_000
        configuration.rateLimit.maxConcurrent = 1000
        configuration.cache.enabled = false
        configuration.observability.metricsEnabled = false
        configuration.defaultProvider = .moonshot
        configuration.providers = [
            .moonshot: ProviderConfiguration(
                id: .moonshot, kind: .openAICompatible, baseURL: server.baseURL + "/v1", apiKey: Secret("sk-bench"),
                apiKeyVariable: "MOONSHOT_API_KEY", defaultModel: "kimi-k2.6", requestTimeout: .seconds(120), dialect: .moonshot)
        ]
        let logger = Logger(label: "kimiswarm.bench", factory: { _ in SwiftLogNoOpLogHandler() })
        // A pool of its own, shut down at the end, so nothing else shares its connections.
        let httpClient = SharedHTTPClient.makeClient()
        do {
            let report = try await measure(configuration: configuration, httpClient: httpClient, logger: logger)
            try? await httpClient.shutdown()
            return report
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
    }

    private func measure(configuration: KimiSwarmConfiguration, httpClient: HTTPClient, logger: Logger) async throws -> Report {
        let registry = DefaultModelRegistry.load()
        let client = LLMClient(configuration: configuration, registry: registry, logger: logger, httpClient: httpClient)
        var library = try TemplateLibrary.builtIn()
        library.add(Self.workerTemplate)
        let engine = SwarmEngine(
            model: client, journal: InMemoryJournal(), library: library, tools: [LookupTool()], tiers: .single("kimi-k2.6"),
            pricing: CallPricing(registry: registry, provider: .moonshot), logger: logger)
        let limits = RunLimits(
            maxSubAgents: agents, maxToolCalls: toolCalls, concurrency: concurrency ?? agents,
            maxStepsPerAgent: toolCalls / agents / max(1, toolCallsPerTurn) + 3)
        let run = engine.makeRun(RunSpec(task: "Benchmark: look up \(toolCalls) values with \(agents) agents.", limits: limits))
        let (result, events) = await withTaskGroup(of: (RunResult?, [RunEventEnvelope]).self) { group in
            group.addTask {
                var all: [RunEventEnvelope] = []
                for await event in run.events { all.append(event) }
                return (nil, all)
            }
            group.addTask { (await run.run(), []) }
            var result: RunResult?
            var events: [RunEventEnvelope] = []
            for await (value, collected) in group {
                if let value { result = value } else { events = collected }
            }
            return (result, events)
        }
        guard let result else { throw CancellationError() }
        let toolResults = events.filter { if case .toolResult = $0.event { true } else { false } }.count
        let sum = result.agents.reduce(0) { $0 + $1.seconds }
        return Report(
            agents: agents, completedAgents: result.agents.filter { $0.state == .completed }.count, toolCalls: result.toolCalls,
            toolResultEvents: toolResults, llmCalls: result.llmCalls, events: events.count,
            latencyMilliseconds: latency.secondsValue * 1000, wallSeconds: result.measures.wallSeconds,
            criticalPathSeconds: result.measures.criticalPathSeconds, ratio: result.measures.ratio, sumOfAgentSeconds: sum,
            parallelSpeedup: result.measures.wallSeconds > 0 ? sum / result.measures.wallSeconds : 0, status: result.status.rawValue)
    }
}
