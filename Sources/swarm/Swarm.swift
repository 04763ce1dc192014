import ArgumentParser

/// The `swarm` command line.
@main
struct Swarm: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swarm",
        abstract: "KimiSwarm: one API over Kimi, OpenAI-compatible endpoints and Anthropic.",
        discussion: """
            Providers: moonshot, openai, together, openrouter, vllm, ollama, azure, anthropic.
            Keys come from MOONSHOT_API_KEY, OPENAI_API_KEY, ANTHROPIC_API_KEY, TOGETHER_API_KEY,
            OPENROUTER_API_KEY, AZURE_OPENAI_API_KEY; base URLs from *_BASE_URL, OLLAMA_HOST and
            AZURE_OPENAI_ENDPOINT; everything else from KIMI_* variables or a config file
            (--config, KIMI_CONFIG_FILE, ./kimiswarm.yaml).
            """,
        version: "0.1.0",
        subcommands: [
            ChatCommand.self, RunCommand.self, AgentsCommand.self, ModelsCommand.self, HealthCommand.self, RouteCommand.self,
            BenchCommand.self, ServeCommand.self, WorkerCommand.self,
        ]
    )
}

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Path of a YAML config file (default: KIMI_CONFIG_FILE, ./kimiswarm.yaml, ~/.config/kimiswarm/config.yaml).")
    var config: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical (default: KIMI_OBSERVABILITY__LOG_LEVEL or warning).")
    var logLevel: String?
}
