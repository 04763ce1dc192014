import ArgumentParser
import Foundation
import KimiSwarmClient
import KimiSwarmCore

/// `swarm chat "prompt"`: one question, one answer, and a usage line on stderr.
struct ChatCommand: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Send one prompt and print the answer (usage and cost go to stderr).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The prompt; '-' reads it from standard input.")
    var prompt: String

    @Option(name: [.short, .long], help: "Provider: moonshot, openai, anthropic, azure, together, openrouter, vllm, ollama (default: KIMI_DEFAULT_PROVIDER or moonshot).")
    var provider: String?

    @Option(name: [.short, .long], help: "Model id (default: the provider's default model).")
    var model: String?

    @Option(name: .long, help: "A system prompt.")
    var system: String?

    @Flag(name: .long, help: "Print the answer as it arrives.")
    var stream = false

    @Flag(name: .long, help: "Print JSON: the response object, or with --stream one event per line.")
    var json = false

    @Option(name: .long, help: "Sampling temperature.")
    var temperature: Double?

    @Option(name: .long, help: "Most tokens to generate.")
    var maxTokens: Int?

    @Option(name: .long, help: "Thinking: on or off (default: the model's own).")
    var thinking: String?

    @Flag(name: .long, help: "Also print the model's reasoning (to stderr).")
    var showReasoning = false

    @Flag(name: .long, help: "Neither read nor write the response cache.")
    var noCache = false

    @Option(name: .long, help: "Where the response cache is kept, in kimiswarm.sqlite (default server.data_dir, ./.kimiswarm).")
    var dataDir: String?

    func execute() async throws {
        try await LocalStore.withContext(global, dataDirectory: dataDir, required: false) { context, _ in
            try await answer(context)
        }
    }

    private func answer(_ context: CommandContext) async throws {
        let request = try makeRequest()
        // Without --provider the client's router decides (when configured), else the default provider.
        let providerID = provider.map { ProviderID($0) }
        _ = try context.client.provider(providerID)
        let started = ContinuousClock.now
        let (response, outcomes) = try await CacheLayer.withOutcome { () async throws -> ChatResponse in
            if stream {
                return try await streamAnswer(context.client.chatStream(request, provider: providerID))
            }
            let response = try await context.client.chat(request, provider: providerID)
            if json {
                try printJSON(response, cost: context.client.cost(of: response))
            } else {
                if showReasoning, let reasoning = response.message.reasoningContent { writeError(reasoning + "\n") }
                print(response.text)
                for call in response.toolCalls { print("tool call \(call.name)(\(call.arguments))") }
            }
            return response
        }
        let elapsed = ContinuousClock.now - started
        let hit = outcomes.contains { $0.isHit }
        writeError(
            UsageSummary.line(response: response, cost: context.client.cost(of: response), elapsed: elapsed, cacheHit: hit) + "\n")
    }

    private func makeRequest() throws -> ChatRequest {
        var text = prompt
        if text == "-" {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            text = String(decoding: data, as: UTF8.self)
        }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw KimiSwarmError.invalidRequest("the prompt is empty", hint: "Pass the prompt as an argument, or '-' to read standard input.")
        }
        var messages: [ChatMessage] = []
        if let system { messages.append(.system(system)) }
        messages.append(.user(text))
        var thinkingMode: ThinkingMode?
        switch thinking?.lowercased() {
        case nil: thinkingMode = nil
        case "on", "enabled", "true": thinkingMode = .enabled(budgetTokens: nil)
        case "off", "disabled", "false": thinkingMode = .disabled
        case let other?:
            throw KimiSwarmError.configuration("--thinking '\(other)' is not on or off", hint: "Use --thinking on or --thinking off.")
        }
        return ChatRequest(
            model: model, messages: messages, temperature: temperature, maxTokens: maxTokens, thinking: thinkingMode,
            options: RequestOptions(cache: noCache ? .bypass : .use))
    }

    private func streamAnswer(_ stream: ChatStream) async throws -> ChatResponse {
        var final: ChatResponse?
        let output = FileHandle.standardOutput
        for try await event in stream {
            if json {
                output.write(Data((StreamEventJSON.line(event) + "\n").utf8))
                if case .finished(let response) = event { final = response }
                continue
            }
            switch event {
            case .contentDelta(let text):
                output.write(Data(text.utf8))
            case .reasoningDelta(let text):
                if showReasoning { writeError(text) }
            case .finished(let response):
                final = response
                if !response.text.hasSuffix("\n") { output.write(Data("\n".utf8)) }
                for call in response.toolCalls { print("tool call \(call.name)(\(call.arguments))") }
            case .toolCallDelta, .usage:
                break
            }
        }
        guard let final else {
            throw KimiSwarmError(category: .provider, message: "the stream ended without a final response")
        }
        return final
    }

    private func printJSON(_ response: ChatResponse, cost: Decimal?) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var object = try JSONValue(parsing: encoder.encode(response))
        if case .object(var members) = object {
            members["costUSD"] = cost.map { .string("\($0)") } ?? .null
            object = .object(members)
        }
        print(String(decoding: try encoder.encode(object), as: UTF8.self))
    }
}

func writeError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}
