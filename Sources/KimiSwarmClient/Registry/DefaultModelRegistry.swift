public import KimiSwarmCore

/// The model registry shipped with KimiSwarm: model ids, context windows, capabilities,
/// deprecations and prices of the built-in providers.
///
/// The registry is YAML text compiled into the binary (not a bundle resource), so that the
/// `swarm` executable keeps working when copied elsewhere. The text below is the one place
/// prices live; a user's registry file (`models_file` in the config file, or
/// `KIMI_MODELS_FILE`) overrides entries by provider and id, see ``ModelRegistryLoader``.
public enum DefaultModelRegistry {
    /// The source name used in messages about the shipped registry.
    public static let source = "DefaultModelRegistry.swift"

    /// The shipped registry, parsed once.
    public static func load() -> ModelRegistry { parsed }

    private static let parsed: ModelRegistry = {
        do {
            return try ModelRegistryLoader.parse(yaml: yaml, source: source)
        } catch {
            // The text below is part of the program; a test parses it on every run
            // (ModelRegistryLoaderTests), so this cannot happen in a released build.
            preconditionFailure("The shipped model registry does not parse: \(error)")
        }
    }()

    /// The shipped registry file, in the format ``ModelRegistryLoader/parse(yaml:source:)`` reads.
    public static let yaml = """
        # KimiSwarm's shipped model registry.
        #
        # Prices are in US dollars per million tokens, as published by each provider on its
        # pricing page; check them against those pages before relying on them (they change,
        # and some providers price by region, account tier or prompt length). They are written
        # as quoted decimals and read exactly, never through a floating-point number.
        #   input         input tokens not read from the prompt cache
        #   cached_input  input tokens read from the prompt cache (default: input)
        #   cache_write   input tokens written to the prompt cache (default: input)
        #   output        output tokens, reasoning included
        # A model without pricing is usable; its cost is reported as unknown.
        #
        # A user's registry file (`models_file:` in the config file, or KIMI_MODELS_FILE) in
        # this same format overrides entries here by provider + id, and adds new ones.
        #
        # capabilities: tools, vision, thinking, json, long_context (256K-class windows).

        models:
          # Moonshot AI (Kimi): platform.moonshot.ai/docs/pricing/chat
          - id: kimi-k3
            provider: moonshot
            display_name: Kimi K3
            context_window: 262144
            capabilities: [tools, vision, thinking, json, long_context]
            # No price yet: Moonshot had not published one when this file was written.
            # Add `pricing:` here (or in your models file) once it is on the pricing page.
          - id: kimi-k2.6
            provider: moonshot
            display_name: Kimi K2.6
            context_window: 262144
            pricing: {input: "0.95", cached_input: "0.16", output: "4.00"}
            capabilities: [tools, vision, thinking, json, long_context]
          - id: kimi-k2.5
            provider: moonshot
            display_name: Kimi K2.5
            context_window: 262144
            pricing: {input: "0.60", cached_input: "0.10", output: "3.00"}
            capabilities: [tools, vision, thinking, json, long_context]
            deprecated: {successor: kimi-k2.6, alternatives: [kimi-k3]}
          - id: kimi-k2-thinking
            provider: moonshot
            display_name: Kimi K2 Thinking
            context_window: 262144
            pricing: {input: "0.60", cached_input: "0.15", output: "2.50"}
            capabilities: [tools, thinking, json, long_context]
          - id: kimi-k2-0905-preview
            provider: moonshot
            display_name: Kimi K2 (0905)
            context_window: 262144
            pricing: {input: "0.60", cached_input: "0.15", output: "2.50"}
            capabilities: [tools, json, long_context]
          - id: kimi-k2-turbo-preview
            provider: moonshot
            display_name: Kimi K2 Turbo
            context_window: 262144
            pricing: {input: "1.15", cached_input: "0.15", output: "8.00"}
            capabilities: [tools, json, long_context]

          # OpenAI: openai.com/api/pricing (standard tier)
          - id: gpt-5
            provider: openai
            display_name: GPT-5
            context_window: 400000
            max_output_tokens: 128000
            pricing: {input: "1.25", cached_input: "0.125", output: "10.00"}
            capabilities: [tools, vision, thinking, json, long_context]
          - id: gpt-5-mini
            provider: openai
            display_name: GPT-5 mini
            context_window: 400000
            max_output_tokens: 128000
            pricing: {input: "0.25", cached_input: "0.025", output: "2.00"}
            capabilities: [tools, vision, thinking, json, long_context]
          - id: gpt-4.1
            provider: openai
            display_name: GPT-4.1
            context_window: 1047576
            max_output_tokens: 32768
            pricing: {input: "2.00", cached_input: "0.50", output: "8.00"}
            capabilities: [tools, vision, json, long_context]
          - id: gpt-4o
            provider: openai
            display_name: GPT-4o
            context_window: 128000
            max_output_tokens: 16384
            pricing: {input: "2.50", cached_input: "1.25", output: "10.00"}
            capabilities: [tools, vision, json]
          - id: gpt-4o-mini
            provider: openai
            display_name: GPT-4o mini
            context_window: 128000
            max_output_tokens: 16384
            pricing: {input: "0.15", cached_input: "0.075", output: "0.60"}
            capabilities: [tools, vision, json]
          - id: text-embedding-3-small
            provider: openai
            kind: embedding
            display_name: text-embedding-3-small
            context_window: 8191
            pricing: {input: "0.02"}
          - id: text-embedding-3-large
            provider: openai
            kind: embedding
            display_name: text-embedding-3-large
            context_window: 8191
            pricing: {input: "0.13"}

          # Anthropic: anthropic.com/pricing. cache_write is the 5-minute cache write
          # (1.25x input); cached_input is a cache read (0.1x input).
          - id: claude-opus-4-5
            provider: anthropic
            display_name: Claude Opus 4.5
            context_window: 200000
            max_output_tokens: 64000
            pricing: {input: "5.00", cached_input: "0.50", cache_write: "6.25", output: "25.00"}
            capabilities: [tools, vision, thinking, json, long_context]
            aliases: [claude-opus-4-5-20251101]
          - id: claude-opus-4-1
            provider: anthropic
            display_name: Claude Opus 4.1
            context_window: 200000
            max_output_tokens: 32000
            pricing: {input: "15.00", cached_input: "1.50", cache_write: "18.75", output: "75.00"}
            capabilities: [tools, vision, thinking, json, long_context]
            aliases: [claude-opus-4-1-20250805]
          - id: claude-sonnet-4-5
            provider: anthropic
            display_name: Claude Sonnet 4.5
            context_window: 200000
            max_output_tokens: 64000
            pricing: {input: "3.00", cached_input: "0.30", cache_write: "3.75", output: "15.00"}
            capabilities: [tools, vision, thinking, json, long_context]
            aliases: [claude-sonnet-4-5-20250929]
          - id: claude-haiku-4-5
            provider: anthropic
            display_name: Claude Haiku 4.5
            context_window: 200000
            max_output_tokens: 64000
            pricing: {input: "1.00", cached_input: "0.10", cache_write: "1.25", output: "5.00"}
            capabilities: [tools, vision, thinking, json, long_context]
            aliases: [claude-haiku-4-5-20251001]

          # Together AI: together.ai/pricing (serverless)
          - id: moonshotai/Kimi-K2-Instruct-0905
            provider: together
            display_name: Kimi K2 Instruct (0905)
            context_window: 262144
            pricing: {input: "1.00", output: "3.00"}
            capabilities: [tools, json, long_context]
          - id: meta-llama/Llama-3.3-70B-Instruct-Turbo
            provider: together
            display_name: Llama 3.3 70B Instruct Turbo
            context_window: 131072
            pricing: {input: "0.88", output: "0.88"}
            capabilities: [tools, json]
          - id: BAAI/bge-large-en-v1.5
            provider: together
            kind: embedding
            display_name: BGE large (English) v1.5
            context_window: 512
            pricing: {input: "0.02"}

          # OpenRouter: openrouter.ai/moonshotai/kimi-k2 (the price of the route OpenRouter
          # picks varies by upstream; this is the listed price)
          - id: moonshotai/kimi-k2
            provider: openrouter
            display_name: Kimi K2 (via OpenRouter)
            context_window: 131072
            pricing: {input: "0.456", output: "1.84"}
            capabilities: [tools, json]

          # Azure OpenAI: model ids (map them to your deployment names with `deployments:` in
          # the config file). Global deployments are priced as OpenAI prices these models.
          - id: gpt-4o
            provider: azure
            display_name: GPT-4o (Azure)
            context_window: 128000
            max_output_tokens: 16384
            pricing: {input: "2.50", cached_input: "1.25", output: "10.00"}
            capabilities: [tools, vision, json]
          - id: gpt-4o-mini
            provider: azure
            display_name: GPT-4o mini (Azure)
            context_window: 128000
            max_output_tokens: 16384
            pricing: {input: "0.15", cached_input: "0.075", output: "0.60"}
            capabilities: [tools, vision, json]
        """
}
