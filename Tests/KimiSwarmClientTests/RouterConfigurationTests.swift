import Foundation
import KimiSwarmClient
import KimiSwarmCore
import KimiSwarmTesting
import Testing

private func load(_ yaml: String, path: String = "kimiswarm.yaml") throws(KimiSwarmError) -> LoadedConfiguration {
    try ConfigurationLoader.load(environment: [:], configFile: ConfigFile(path: path, contents: yaml))
}

private func loadError(_ yaml: String) -> KimiSwarmError? {
    do {
        _ = try load(yaml)
        return nil
    } catch {
        return error
    }
}

private var repositoryRoot: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

@Suite("Router: config file sections router and fallbacks")
struct RouterConfigurationTests {
    @Test("the seed routing parses into RouterSettings")
    func parsesSeedRouting() throws {
        let yaml = """
            router:
              rules:
                - when: {complexity_above: 0.8}
                  target: anthropic/claude-opus-4-5
                - when: {context_above: 100000}
                  target: moonshot/kimi-k2.6
                - when: {cost: lowest}
                  target: together/moonshotai/Kimi-K2-Instruct-0905
                - when: {tag: fast, cost: balanced}
                  target: gpt-4o
              default: azure/gpt-4o
              deployments:
                gpt-4o:
                  - {target: azure/gpt-4o, weight: 3}
                  - {target: openai/gpt-4o}
            fallbacks:
              azure: [anthropic/claude-sonnet-4-5, together/moonshotai/Kimi-K2-Instruct-0905, moonshot/kimi-k2.6]
              anthropic/claude-opus-4-5: [moonshot/kimi-k2.6]
            """
        let router = try #require(try load(yaml).configuration.router)
        #expect(router.rules == [
            RouteRule(conditions: [.complexityAbove(0.8)], destination: .target(target("anthropic/claude-opus-4-5"))),
            RouteRule(conditions: [.contextAbove(100_000)], destination: .target(target("moonshot/kimi-k2.6"))),
            RouteRule(conditions: [.cost(.lowest)], destination: .target(target("together/moonshotai/Kimi-K2-Instruct-0905"))),
            RouteRule(conditions: [.tag("fast"), .cost(.balanced)], destination: .deployment("gpt-4o")),
        ])
        #expect(router.defaultDestination == .target(target("azure/gpt-4o")))
        #expect(router.deployments["gpt-4o"] == [
            WeightedTarget(target: target("azure/gpt-4o"), weight: 3), WeightedTarget(target: target("openai/gpt-4o"), weight: 1),
        ])
        #expect(router.fallbackChain(for: target("azure/gpt-4o")).count == 3)
        #expect(router.fallbackChain(for: target("anthropic/claude-opus-4-5")) == [target("moonshot/kimi-k2.6")])
        #expect(router.fallbackChain(for: target("anthropic/claude-sonnet-4-5")).isEmpty)
    }

    @Test("no router section leaves the field nil")
    func absent() throws {
        #expect(try load("default_provider: moonshot").configuration.router == nil)
    }

    @Test("problems name the key path and line; every problem is reported")
    func validationErrors() throws {
        let yaml = """
            router:
              rules:
                - when: {complexity_above: 1.5}
                  target: anthropic/claude-opus-4-5
                - when: {tag: fast}
                  target: groq/llama-3
                - when: {costs: lowest}
                  target: openai/gpt-5-mini
                - when: {cost: cheapest}
                  target: gpt-5-mini
                - target: openai/gpt-5-mini
              default: azure
              deployments:
                gpt-4o:
                  - {target: azure/gpt-4o, weight: 0}
              strategy: fastest
            fallbacks:
              azurre: [anthropic/claude-sonnet-4-5]
              anthropic: [anthropic-claude]
            """
        let error = try #require(loadError(yaml))
        #expect(error.category == .configuration)
        let message = error.message
        #expect(message.contains("kimiswarm.yaml: router.rules[0].when.complexity_above='1.5' must be a number from 0 to 1 (line 3)"))
        #expect(message.contains("kimiswarm.yaml: router.rules[1].target names the unknown provider 'groq'"))
        #expect(message.contains("router.rules[2].when.costs is not a known key"))
        #expect(message.contains("(did you mean 'cost'?)"))
        #expect(message.contains("router.rules[3].when.cost='cheapest' is not a cost preference (expected one of lowest, balanced, quality)"))
        #expect(message.contains("router.rules[3].target 'gpt-5-mini' is neither provider/model nor a name under router.deployments"))
        #expect(message.contains("router.rules[4] needs 'when'"))
        #expect(message.contains("router.default 'azure' is neither provider/model"))
        #expect(message.contains("router.deployments.gpt-4o[0].weight='0'"))
        #expect(message.contains("router.strategy is not a known key"))
        #expect(message.contains("fallbacks.azurre names the unknown provider 'azurre'"))
        #expect(message.contains("(did you mean 'azure'?)"))
        #expect(message.contains("fallbacks.anthropic[0] 'anthropic-claude' must be provider/model"))
        #expect(message.contains("(line 18)"))
    }

    @Test("targets whose model is not in the registry are warnings, not errors")
    func registryWarnings() throws {
        let yaml = """
            router:
              default: azure/gpt-4o
              rules:
                - when: {tag: x}
                  target: openai/gpt-9-ultra
            fallbacks:
              azure: [moonshot/kimi-k2.6, moonshot/kimi-k9]
            """
        let router = try #require(try load(yaml).configuration.router)
        let warnings = router.registryWarnings(DefaultModelRegistry.load())
        #expect(warnings.count == 2)
        #expect(warnings.contains { $0.hasPrefix("router.rules[0].target names 'openai/gpt-9-ultra'") })
        #expect(warnings.contains { $0.hasPrefix("fallbacks.azure[1] names 'moonshot/kimi-k9'") })
    }

    @Test("examples/router.yaml and kimiswarm.example.yaml load with the seed routing", arguments: ["examples/router.yaml", "kimiswarm.example.yaml"])
    func exampleFiles(_ relativePath: String) throws {
        let path = repositoryRoot.appendingPathComponent(relativePath).path
        let contents = try String(contentsOfFile: path, encoding: .utf8)
        let loaded = try load(contents, path: path)
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
        let router = try #require(loaded.configuration.router)
        #expect(router.registryWarnings(DefaultModelRegistry.load()).isEmpty)
        #expect(router.rules.count == 4)
        #expect(router.defaultDestination == .target(target("azure/gpt-4o")))
        #expect(router.fallbackChain(for: target("azure/gpt-4o")) == [
            target("anthropic/claude-sonnet-4-5"), target("together/moonshotai/Kimi-K2-Instruct-0905"), target("moonshot/kimi-k2.6"),
        ])
        let planner = ModelRouter(settings: router, registry: DefaultModelRegistry.load(), logger: testLogger) { id in StubProvider.answering(id, "ok") }
        #expect(planner.route(ChatRequest(messages: [.user("hi")], options: RequestOptions(complexity: 0.9))).primary == target("anthropic/claude-opus-4-5"))
        // 150K estimated tokens: the context rule picks Kimi (256K window).
        let long = planner.route(ChatRequest(messages: [.user(String(repeating: "word ", count: 120_000))]))
        #expect(long.primary == target("moonshot/kimi-k2.6"))
    }
}

@Suite("swarm route: a dry run of the router")
struct RouteCommandTests {
    @Test("swarm route shows the target, the reason, the fallbacks and an estimate")
    func dryRun() async throws {
        let config = repositoryRoot.appendingPathComponent("examples/router.yaml").path
        let plain = try await SwarmProcess.run(["route", "--config", config, "Hello"])
        #expect(plain.status == 0, "stderr: \(plain.stderr)")
        #expect(plain.stdout.contains("target: azure/gpt-4o"))
        #expect(plain.stdout.contains("why: default"))
        #expect(plain.stdout.contains("fallbacks: anthropic/claude-sonnet-4-5 → together/moonshotai/Kimi-K2-Instruct-0905 → moonshot/kimi-k2.6"))
        #expect(plain.stdout.contains("estimated cost: $"))
        let cheap = try await SwarmProcess.run(["route", "--config", config, "--cost", "lowest", "Hello"])
        #expect(cheap.stdout.contains("target: together/moonshotai/Kimi-K2-Instruct-0905"))
        #expect(cheap.stdout.contains("why: rule 3: cost lowest"))
    }
}
