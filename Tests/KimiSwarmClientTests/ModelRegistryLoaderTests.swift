import Foundation
import KimiSwarmClient
import KimiSwarmCore
import Testing

private func parseError(_ yaml: String, source: String = "models.yaml") -> KimiSwarmError? {
    do {
        _ = try ModelRegistryLoader.parse(yaml: yaml, source: source)
        return nil
    } catch {
        return error
    }
}

private func decimal(_ text: String) -> Decimal {
    Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))!
}

@Suite("Model registry loader")
struct ModelRegistryLoaderTests {
    @Test("The shipped registry parses")
    func shippedRegistryParses() throws {
        let registry = try ModelRegistryLoader.parse(yaml: DefaultModelRegistry.yaml, source: DefaultModelRegistry.source)
        #expect(registry == DefaultModelRegistry.load())
        #expect(registry.entries.count >= 20)
    }

    @Test("Every default model of the built-in providers is in the shipped registry, with the right kind")
    func defaultModelsAreRegistered() throws {
        let registry = DefaultModelRegistry.load()
        for id in ProviderID.builtIn {
            let provider = try #require(ProviderConfiguration.builtIn(id))
            if let model = provider.defaultModel {
                let entry = registry.entry(provider: id, model: model)
                #expect(entry?.kind == .chat, "\(id) \(model)")
                #expect(entry?.pricing != nil, "\(id) \(model) has no price")
            }
            if let model = provider.defaultEmbeddingModel {
                #expect(registry.entry(provider: id, model: model)?.kind == .embedding, "\(id) \(model)")
            }
        }
    }

    @Test(
        "The shipped registry covers the models we promise",
        arguments: [
            (ProviderID.moonshot, "kimi-k2.6"), (.moonshot, "kimi-k3"), (.moonshot, "kimi-k2.5"), (.moonshot, "kimi-k2-0905-preview"),
            (.moonshot, "kimi-k2-turbo-preview"), (.openai, "gpt-5"), (.openai, "gpt-5-mini"), (.openai, "gpt-4.1"),
            (.openai, "gpt-4o-mini"), (.openai, "text-embedding-3-small"), (.openai, "text-embedding-3-large"),
            (.anthropic, "claude-opus-4-1"), (.anthropic, "claude-sonnet-4-5"), (.anthropic, "claude-haiku-4-5"),
            (.together, "moonshotai/Kimi-K2-Instruct-0905"), (.together, "meta-llama/Llama-3.3-70B-Instruct-Turbo"),
            (.together, "BAAI/bge-large-en-v1.5"), (.openrouter, "moonshotai/kimi-k2"), (.azure, "gpt-4o"), (.azure, "gpt-4o-mini"),
        ])
    func covers(provider: ProviderID, model: String) {
        #expect(DefaultModelRegistry.load().entry(provider: provider, model: model) != nil)
    }

    @Test("Kimi: 256K windows, K2.5 deprecated for K2.6 and K3, older K2 without thinking")
    func kimi() throws {
        let registry = DefaultModelRegistry.load()
        for model in ["kimi-k2.6", "kimi-k3", "kimi-k2.5", "kimi-k2-0905-preview", "kimi-k2-turbo-preview"] {
            let entry = try #require(registry.entry(provider: .moonshot, model: model))
            #expect(entry.contextWindow == 262_144)
            #expect(entry.capabilities.isSuperset(of: [.tools, .json, .longContext]))
        }
        for model in ["kimi-k2.6", "kimi-k3"] {
            let entry = try #require(registry.entry(provider: .moonshot, model: model))
            #expect(entry.capabilities.contains(.thinking))
            #expect(entry.deprecation == nil)
        }
        for model in ["kimi-k2-0905-preview", "kimi-k2-turbo-preview"] {
            #expect(registry.entry(provider: .moonshot, model: model)?.capabilities.contains(.thinking) == false)
        }
        let deprecation = try #require(registry.entry(provider: .moonshot, model: "kimi-k2.5")?.deprecation)
        #expect(deprecation == ModelDeprecation(successor: "kimi-k2.6", alternatives: ["kimi-k3"]))
    }

    @Test("Every successor and alternative named by a shipped deprecation is itself registered")
    func deprecationsPointToRegisteredModels() {
        let registry = DefaultModelRegistry.load()
        for entry in registry.entries {
            guard let deprecation = entry.deprecation else { continue }
            for replacement in [deprecation.successor].compactMap({ $0 }) + deprecation.alternatives {
                #expect(registry.entry(provider: entry.provider, model: replacement) != nil, "\(entry.id) → \(replacement)")
            }
        }
    }

    @Test("Anthropic cache writes cost 1.25x input and cache reads 0.1x input")
    func anthropicCachePrices() throws {
        let entries = DefaultModelRegistry.load().entries(for: .anthropic)
        #expect(entries.count >= 3)
        for entry in entries {
            let pricing = try #require(entry.pricing)
            #expect(pricing.cacheWritePerMillion == pricing.inputPerMillion * decimal("1.25"), "\(entry.id)")
            #expect(pricing.cachedInputPerMillion == pricing.inputPerMillion * decimal("0.1"), "\(entry.id)")
        }
    }

    @Test("Azure's gpt-4o models cost what OpenAI's do")
    func azurePrices() throws {
        let registry = DefaultModelRegistry.load()
        for model in ["gpt-4o", "gpt-4o-mini"] {
            let azure = try #require(registry.entry(provider: .azure, model: model)?.pricing)
            #expect(azure == registry.entry(provider: .openai, model: model)?.pricing)
        }
    }

    @Test("Snapshot ids of Claude models find their entry through aliases")
    func aliases() {
        let entry = DefaultModelRegistry.load().entry(provider: .anthropic, model: "claude-sonnet-4-5-20250929")
        #expect(entry?.id == "claude-sonnet-4-5")
    }

    @Test("Prices are exact decimals, quoted or not, never rounded through Double")
    func exactPrices() throws {
        let registry = try ModelRegistryLoader.parse(
            yaml: """
                models:
                  - {id: quoted, provider: p, context_window: 1000, pricing: {input: "0.60", cached_input: "0.10", output: "3.00"}}
                  - {id: plain, provider: p, context_window: 1000, pricing: {input: 0.1, output: 0.2}}
                  - {id: tiny, provider: p, context_window: 1000, pricing: {input: 0.000001, cache_write: "1.25", output: 15}}
                """, source: "models.yaml")
        let quoted = try #require(registry.entry(provider: "p", model: "quoted")?.pricing)
        #expect(quoted.inputPerMillion == decimal("0.6"))
        #expect(quoted.cachedInputPerMillion == decimal("0.1"))
        #expect(quoted.cost(of: Usage(promptTokens: 1_234_567)) == decimal("0.7407402"))
        #expect(
            quoted.cost(of: Usage(promptTokens: 1_234_567, cachedPromptTokens: 234_567, completionTokens: 89_012))
                == decimal("0.6") + decimal("0.0234567") + decimal("0.267036"))
        // 0.1 + 0.2 in binary floating point is 0.30000000000000004.
        let plain = try #require(registry.entry(provider: "p", model: "plain")?.pricing)
        #expect(plain.cost(of: Usage(promptTokens: 1_000_000, completionTokens: 1_000_000)) == decimal("0.3"))
        let tiny = try #require(registry.entry(provider: "p", model: "tiny")?.pricing)
        #expect(tiny.inputPerMillion == decimal("0.000001"))
        #expect(tiny.cacheWritePerMillion == decimal("1.25"))
        #expect(tiny.outputPerMillion == 15)
    }

    @Test("Every field of an entry is read; kind defaults to chat and an embedding needs no output price")
    func allFields() throws {
        let registry = try ModelRegistryLoader.parse(
            yaml: """
                models:
                  - id: kimi-k2.6
                    provider: moonshot
                    kind: chat
                    display_name: Kimi K2.6
                    context_window: 262144
                    max_output_tokens: 32768
                    pricing: {input: "0.60", cached_input: "0.10", cache_write: "0.70", output: "3.00"}
                    capabilities: [tools, vision, thinking, json, long_context]
                    aliases: [kimi-latest-k2]
                    deprecated: {successor: kimi-k3, alternatives: [kimi-k3-mini], shutdown_date: 2026-12-31}
                  - {id: old, provider: moonshot, context_window: 8192, deprecated: true}
                  - {id: embed, provider: openai, kind: embedding, context_window: 8191, pricing: {input: "0.02"}}
                """, source: "models.yaml")
        let entry = try #require(registry.entry(provider: .moonshot, model: "KIMI-LATEST-K2"))
        #expect(
            entry
                == ModelEntry(
                    id: "kimi-k2.6", provider: .moonshot, kind: .chat, displayName: "Kimi K2.6", contextWindow: 262_144,
                    maxOutputTokens: 32_768,
                    pricing: ModelPricing(
                        inputPerMillion: decimal("0.6"), cachedInputPerMillion: decimal("0.1"), cacheWritePerMillion: decimal("0.7"),
                        outputPerMillion: 3),
                    capabilities: Set(ModelCapability.allCases),
                    deprecation: ModelDeprecation(successor: "kimi-k3", alternatives: ["kimi-k3-mini"], shutdownDate: "2026-12-31"),
                    aliases: ["kimi-latest-k2"]))
        let old = try #require(registry.entry(provider: .moonshot, model: "old"))
        #expect(old.kind == .chat)
        #expect(old.pricing == nil)
        #expect(old.deprecation == ModelDeprecation())
        #expect(registry.entry(provider: .openai, model: "embed")?.pricing?.outputPerMillion == 0)
    }

    @Test("A user's file overrides shipped entries by provider and id, and adds new ones")
    func userFileOverrides() throws {
        let shipped = DefaultModelRegistry.load()
        #expect(try ModelRegistryLoader.load(userFile: nil) == shipped)
        let user = ConfigFile(
            path: "models.yaml",
            contents: """
                models:
                  - {id: kimi-k2.6, provider: moonshot, context_window: 262144, pricing: {input: "0.50", output: "2.00"}}
                  - {id: kimi-k3, provider: moonshot, context_window: 262144, pricing: {input: "1.00", output: "5.00"}, capabilities: [tools]}
                  - {id: llama3.3:70b, provider: ollama, context_window: 131072, pricing: {input: "0", output: "0"}}
                """)
        let merged = try ModelRegistryLoader.load(userFile: user)
        #expect(merged.entries.count == shipped.entries.count + 1)
        #expect(merged.entry(provider: .moonshot, model: "kimi-k2.6")?.pricing?.inputPerMillion == decimal("0.5"))
        #expect(merged.entry(provider: .moonshot, model: "kimi-k3")?.capabilities == [.tools])
        #expect(merged.entry(provider: .ollama, model: "llama3.3:70b")?.contextWindow == 131_072)
        #expect(merged.entry(provider: .openai, model: "gpt-5") == shipped.entry(provider: .openai, model: "gpt-5"))
        // The same id under another provider is another entry.
        #expect(merged.entry(provider: .azure, model: "gpt-4o") == shipped.entry(provider: .azure, model: "gpt-4o"))
    }

    @Test("A broken user file fails loading with an error that names it")
    func brokenUserFile() throws {
        do {
            _ = try ModelRegistryLoader.load(userFile: ConfigFile(path: "/etc/kimi/models.yaml", contents: "models:\n  - {id: x}\n"))
            Issue.record("expected an error")
        } catch {
            #expect(error.category == .configuration)
            #expect(error.message.contains("/etc/kimi/models.yaml: models[0] (x) is missing the required field 'provider'"))
        }
    }

    @Test(
        "A problem names the file, the entry (index and id), the field and the line",
        arguments: [
            ("  - {id: gpt-4o, provider: openai, context_window: 1, pricing: {input: \"-1\", output: 1}}", "models.yaml: models[0] (gpt-4o): pricing.input must be a non-negative decimal", "not '-1' (line 2)"),
            ("  - {id: gpt-4o, provider: openai, context_window: 1, pricing: {input: abc, output: 1}}", "models.yaml: models[0] (gpt-4o): pricing.input must be a non-negative decimal", "not 'abc' (line 2)"),
            ("  - {id: a, provider: openai, context_window: 1, pricing: {input: 1e3, output: 1}}", "models[0] (a): pricing.input must be a non-negative decimal", "not '1e3' (line 2)"),
            ("  - {id: a, provider: openai, context_window: 1, pricing: {input: 1}}", "models[0] (a): pricing needs 'output'", "(line 2)"),
            ("  - {id: a, provider: openai, context_window: 1, pricing: {output: 1}}", "models[0] (a): pricing needs 'input'", "(line 2)"),
            ("  - {id: a, provider: openai, context_window: 1, pricing: {inptu: 1, input: 1, output: 1}}", "models[0] (a): pricing.inptu is not a known key; allowed keys here: input, cached_input, cache_write, output", "(did you mean 'input'?) (line 2)"),
            ("  - {id: a, provider: openai, context_window: 1, contxt_window: 1}", "models[0] (a): contxt_window is not a known key; allowed keys here: id, provider,", "(did you mean 'context_window'?) (line 2)"),
            ("  - {id: a, provider: openai, context_window: 1, capabilities: [tools, telepathy]}", "models[0] (a): capabilities has the unknown capability 'telepathy'; allowed: tools, vision, thinking, json, long_context", "(line 2)"),
            ("  - {provider: openai, context_window: 1}", "models.yaml: models[0] is missing the required field 'id'", "(line 2)"),
            ("  - {id: a, context_window: 1}", "models[0] (a) is missing the required field 'provider'", "(line 2)"),
            ("  - {id: a, provider: openai}", "models[0] (a) is missing the required field 'context_window'", "(line 2)"),
            ("  - {id: a, provider: openai, context_window: 0}", "models[0] (a): context_window='0' is out of range (expected 1...1000000000)", "(line 2)"),
            ("  - {id: a, provider: openai, context_window: 10, max_output_tokens: 20}", "models[0] (a): max_output_tokens (20) must not exceed context_window (10)", "(line 2)"),
            ("  - {id: a, provider: openai, context_window: 1, kind: image}", "models[0] (a): kind='image' is not a model kind (expected chat or embedding)", "(line 2)"),
            ("  - {id: a, provider: Open AI, context_window: 1}", "models[0] (a): provider 'Open AI' is not a valid provider name", "(line 2)"),
            ("  - {id: a, provider: openai, context_window: 1, deprecated: {shutdown_date: soon}}", "models[0] (a): deprecated.shutdown_date 'soon' is not a date (expected YYYY-MM-DD)", "(line 2)"),
            ("  - {id: a, provider: openai, context_window: 1, deprecated: {successor: b, reason: old}}", "models[0] (a): deprecated.reason is not a known key", "(line 2)"),
            ("  - {id: a, provider: openai, context_window: 1, aliases: b}", "models[0] (a): aliases must be a list, not a single value", "(line 2)"),
            ("  - just-a-name", "models.yaml: models[0] must be a mapping with id, provider and context_window, not a single value", "(line 2)"),
            ("  - {id: a, provider: openai, context_window: 1}\n  - {id: A, provider: openai, context_window: 1}", "models[1] (A) uses the name 'A' for provider openai, which models[0] (a) already uses", "(line 3)"),
            ("  - {id: a, provider: openai, context_window: 1}\n  - {id: b, provider: openai, context_window: 1, aliases: [a]}", "models[1] (b) uses the name 'a' for provider openai, which models[0] (a) already uses", "(line 3)"),
        ])
    func entryProblem(entries: String, expected: String, suffix: String) throws {
        let error = try #require(parseError("models:\n" + entries + "\n"))
        #expect(error.category == .configuration)
        #expect(error.message.contains(expected), "\(error.message)")
        #expect(error.message.hasSuffix(suffix), "\(error.message)")
    }

    @Test("File-level problems: unknown top-level keys, a non-list, bad YAML")
    func fileProblems() throws {
        #expect(parseError("modles: []")?.message.contains("models.yaml: modles is not a known key; allowed keys here: models") == true)
        #expect(parseError("models: {a: 1}")?.message.contains("models.yaml: models must be a list, not a mapping (line 1)") == true)
        #expect(parseError("- a")?.message.contains("models.yaml: the top level must be a mapping with the key 'models'") == true)
        let syntax = try #require(parseError("models:\n  - {id: a\n", source: "my-models.yaml"))
        #expect(syntax.message.hasPrefix("my-models.yaml: YAML syntax error at line"), "\(syntax.message)")
        #expect(try ModelRegistryLoader.parse(yaml: "", source: "m.yaml").entries.isEmpty)
        #expect(try ModelRegistryLoader.parse(yaml: "models:\n", source: "m.yaml").entries.isEmpty)
    }

    @Test("Several problems are reported together, in file order")
    func multipleProblems() throws {
        let error = try #require(
            parseError(
                """
                models:
                  - {id: ok, provider: openai, context_window: 1}
                  - {id: x, provider: openai, context_window: many}
                  - {id: gpt-4o, provider: openai, context_window: 1, pricing: {input: "-2", output: 1}}
                """))
        #expect(error.message.hasPrefix("2 configuration problems:"))
        let lines = error.message.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[1].contains("models[1] (x): context_window='many' is not an integer"))
        #expect(lines[2].contains("models[2] (gpt-4o): pricing.input must be a non-negative decimal"))
    }
}
