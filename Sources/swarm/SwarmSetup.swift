import Foundation
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmEngine

/// Builds the swarm engine from the command's configuration: templates (built-in plus the
/// user's folder), tools, model tiers and prices.
enum SwarmSetup {
    static func library(folder: String?) throws -> TemplateLibrary {
        do {
            var library = try TemplateLibrary.builtIn()
            if let folder {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw KimiSwarmError.configuration(
                        "the templates folder '\(folder)' does not exist", hint: "Pass an existing folder to --templates (or swarm.templates_dir).")
                }
                try library.addFolder(URL(fileURLWithPath: folder))
            }
            return library
        } catch let error as TemplateError {
            throw KimiSwarmError.configuration("invalid agent templates:\n\(error.description)", hint: "Fix the files and fields named above.")
        }
    }

    /// The model of each tier: `--model` for all, else the `swarm.model_*` settings, else the
    /// provider's default model.
    static func tiers(_ configuration: KimiSwarmConfiguration, provider: ProviderID, model: String?) -> ModelTierMap {
        ModelTierMap(configuration: configuration, provider: provider, model: model)
    }

    static func engine(
        _ context: CommandContext, journal: any RunJournal, provider: String?, model: String?, templatesFolder: String?,
        allowHosts: [String]
    ) throws -> SwarmEngine {
        let providerID = provider.map { ProviderID($0) } ?? context.configuration.defaultProvider
        _ = try context.client.provider(providerID)
        let chatModel: any ChatModel = provider == nil ? context.client : PinnedProviderModel(client: context.client, provider: providerID)
        var httpConfiguration = HTTPGetConfiguration()
        httpConfiguration.allowList = allowHosts
        let tools: [any Tool] = [CurrentTimeTool(), HTTPGetTool(configuration: httpConfiguration)]
        return SwarmEngine(
            model: chatModel, journal: journal, library: try library(folder: templatesFolder ?? context.configuration.swarm.templatesDirectory),
            tools: tools, tiers: tiers(context.configuration, provider: providerID, model: model),
            pricing: RoutedCallPricing(client: context.client, provider: provider == nil ? nil : providerID), logger: context.logger)
    }
}

/// The client with every call sent to one provider (`--provider`).
struct PinnedProviderModel: ChatModel {
    let client: LLMClient
    let provider: ProviderID

    func chat(_ request: ChatRequest) async throws -> ChatResponse { try await client.chat(request, provider: provider) }
    func chatStream(_ request: ChatRequest) -> ChatStream { client.chatStream(request, provider: provider) }
}
