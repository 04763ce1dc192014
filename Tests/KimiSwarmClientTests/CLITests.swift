import Foundation
import KimiSwarmCore
import KimiSwarmTesting
import Testing

@Suite("swarm command line, end to end against loopback providers")
struct CLITests {
    @Test("swarm chat prints the answer from an OpenAI-compatible server, and usage on stderr")
    func chatOpenAICompatible() async throws {
        try await LoopbackProviderServer.withServer { server in
            let result = try await SwarmProcess.run(
                ["chat", "hello there", "--provider", "openai", "--model", "echo-1"],
                environment: ["OPENAI_BASE_URL": server.baseURL + "/v1", "OPENAI_API_KEY": testAPIKey])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(result.stdout == "Echo: hello there\n")
            #expect(result.stderr.contains("openai/echo-1 · "))
            #expect(result.stderr.contains("tokens"))
            #expect(result.stderr.contains("cost unknown"))
            #expect(result.stderr.contains("model is not in the registry"))
            #expect(!result.stderr.contains(testAPIKey))
            #expect(server.lastRequest?.header("authorization") == "Bearer \(testAPIKey)")
        }
    }

    @Test("swarm chat --stream streams from an OpenAI-compatible server with usage from the last chunk")
    func chatStreamOpenAICompatible() async throws {
        try await LoopbackProviderServer.withServer { server in
            let result = try await SwarmProcess.run(
                ["chat", "stream me please", "--stream", "--provider", "vllm", "--model", "echo-1", "--system", "be nice"],
                environment: ["VLLM_BASE_URL": server.baseURL + "/v1"])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(result.stdout == "Echo: stream me please\n")
            #expect(result.stderr.contains("vllm/echo-1 · "))
            #expect(!result.stderr.contains(" 0 in + 0 out"))
            let body = try JSONValue(parsing: Data(try #require(server.lastRequest).body))
            #expect(body["stream"] == true)
            #expect(body["messages"]?.arrayValue?.first?["content"] == "be nice")
        }
    }

    @Test("swarm chat against an Anthropic-compatible server, plain and streamed, with a priced cost", arguments: [false, true])
    func chatAnthropic(stream: Bool) async throws {
        try await LoopbackProviderServer.withServer { server in
            let result = try await SwarmProcess.run(
                ["chat", "bonjour", "--provider", "anthropic", "--model", "claude-sonnet-4-5"] + (stream ? ["--stream"] : []),
                environment: ["ANTHROPIC_BASE_URL": server.baseURL, "ANTHROPIC_API_KEY": testAPIKey])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(result.stdout == "Echo: bonjour\n")
            #expect(result.stderr.contains("anthropic/claude-sonnet-4-5 · "))
            #expect(result.stderr.contains("$"))
            #expect(server.lastRequest?.path == "/v1/messages")
            #expect(server.lastRequest?.header("x-api-key") == testAPIKey)
        }
    }

    @Test("swarm chat --json prints the response object with its cost")
    func chatJSON() async throws {
        try await LoopbackProviderServer.withServer { server in
            let result = try await SwarmProcess.run(
                ["chat", "-", "--json", "--provider", "moonshot"],
                environment: ["MOONSHOT_BASE_URL": server.baseURL + "/v1", "MOONSHOT_API_KEY": testAPIKey], stdin: "from stdin")
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let json = try JSONValue(parsing: result.stdout)
            #expect(json["message"]?["content"] == "Echo: from stdin")
            #expect(json["provider"] == "moonshot")
            #expect(json["costUSD"]?.stringValue != nil)
        }
    }

    @Test("a missing key exits with status 2 and names the variable to set")
    func missingKey() async throws {
        let result = try await SwarmProcess.run(["chat", "hi"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("MOONSHOT_API_KEY"))
        #expect(result.stdout.isEmpty)
    }

    @Test("an invalid setting exits with status 2 and names the variable")
    func invalidSetting() async throws {
        let result = try await SwarmProcess.run(["models"], environment: ["KIMI_RETRY__MAX_ATTEMPTS": "many"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("KIMI_RETRY__MAX_ATTEMPTS"))
    }

    @Test("an unknown provider exits with status 2 and lists the known ones")
    func unknownProvider() async throws {
        let result = try await SwarmProcess.run(["chat", "hi", "--provider", "nope"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("nope"))
        #expect(result.stderr.contains("moonshot"))
    }

    @Test("swarm models shows the registry with prices and deprecations")
    func models() async throws {
        let result = try await SwarmProcess.run(["models"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("kimi-k2.6"))
        #expect(result.stdout.contains("claude-sonnet-4-5"))
        let deprecated = try #require(result.stdout.split(separator: "\n").first { $0.contains("kimi-k2.5 ") })
        #expect(deprecated.contains("deprecated; use kimi-k2.6"))
        #expect(deprecated.contains("256K"))
        #expect(deprecated.contains("$0.60"))
        let filtered = try await SwarmProcess.run(["models", "--provider", "anthropic", "--json"])
        let entries = try #require(try JSONValue(parsing: filtered.stdout).arrayValue)
        #expect(!entries.isEmpty)
        #expect(entries.allSatisfy { $0["provider"] == "anthropic" })
    }

    @Test("swarm models --live asks the provider's API")
    func liveModels() async throws {
        try await LoopbackProviderServer.withServer { server in
            let result = try await SwarmProcess.run(
                ["models", "--live", "--provider", "openai"],
                environment: ["OPENAI_BASE_URL": server.baseURL + "/v1", "OPENAI_API_KEY": testAPIKey])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(result.stdout.contains("echo-1"))
            #expect(server.lastRequest?.path == "/v1/models")
        }
    }

    @Test("JSON logs are one object per line and never carry the key, even at debug level")
    func jsonLogsWithoutSecrets() async throws {
        try await LoopbackProviderServer.withServer { server in
            let result = try await SwarmProcess.run(
                ["chat", "log me", "--provider", "openai", "--model", "echo-1", "--log-level", "debug"],
                environment: [
                    "OPENAI_BASE_URL": server.baseURL + "/v1", "OPENAI_API_KEY": testAPIKey,
                    "KIMI_OBSERVABILITY__LOG_FORMAT": "json",
                ])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let lines = result.stderr.split(separator: "\n").map(String.init)
            let logLines = lines.filter { $0.hasPrefix("{") }
            #expect(logLines.count >= 2)
            for line in logLines {
                let json = try JSONValue(parsing: line)
                #expect(json["level"]?.stringValue != nil)
                #expect(json["timestamp"]?.stringValue != nil)
                #expect(json["message"]?.stringValue != nil)
            }
            #expect(logLines.contains { $0.contains("provider request") })
            #expect(!result.stderr.contains(testAPIKey))
            #expect(!result.stderr.contains("log me"))
        }
    }

    @Test("a provider error shows the provider's own words with keys masked, and exits with status 1")
    func providerErrorDetail() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.enqueue(
                .json(
                    status: 400,
                    body: #"{"error":{"message":"Invalid 'temperature': must be at most 2. Key \#(testAPIKey) token abcdefghijklmnopqrstuvwxyz0123456789","type":"invalid_request_error"}}"#))
            let result = try await SwarmProcess.run(
                ["chat", "hi", "--temperature", "5"],
                environment: ["MOONSHOT_BASE_URL": server.baseURL + "/v1", "MOONSHOT_API_KEY": testAPIKey])
            #expect(result.status == 1)
            #expect(result.stderr.contains("invalid_request (HTTP 400)"))
            #expect(result.stderr.contains("provider said: Invalid 'temperature': must be at most 2."))
            #expect(!result.stderr.contains(testAPIKey))
            #expect(!result.stderr.contains("abcdefghijklmnopqrstuvwxyz0123456789"))
        }
    }

    @Test("a second identical swarm chat is answered from the persistent cache (the data directory's database), and says so")
    func persistentCacheAcrossRuns() async throws {
        try await LoopbackProviderServer.withServer { server in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swarm-cache-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let environment = ["MOONSHOT_BASE_URL": server.baseURL + "/v1", "MOONSHOT_API_KEY": testAPIKey]
            let first = try await SwarmProcess.run(["chat", "remember me", "--data-dir", folder], environment: environment)
            #expect(FileManager.default.fileExists(atPath: folder + "/kimiswarm.sqlite"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).allSatisfy { $0.hasPrefix("kimiswarm.sqlite") })
            let second = try await SwarmProcess.run(["chat", "remember me", "--data-dir", folder], environment: environment)
            let bypass = try await SwarmProcess.run(["chat", "remember me", "--no-cache", "--data-dir", folder], environment: environment)
            #expect(first.status == 0, "stderr: \(first.stderr)")
            #expect(second.stdout == first.stdout)
            #expect(!first.stderr.contains("cache hit"))
            #expect(second.stderr.contains("cache hit, $0.00 (saved $"))
            #expect(bypass.status == 0)
            #expect(!bypass.stderr.contains("cache hit"))
            #expect(server.requestCount == 2)
        }
    }

    @Test("with KIMI_CACHE__PERSISTENT=false swarm chat creates no database")
    func noPersistentTierNoFile() async throws {
        try await LoopbackProviderServer.withServer { server in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swarm-cache-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let environment = [
                "MOONSHOT_BASE_URL": server.baseURL + "/v1", "MOONSHOT_API_KEY": testAPIKey, "KIMI_CACHE__PERSISTENT": "false",
            ]
            let result = try await SwarmProcess.run(["chat", "hello", "--data-dir", folder], environment: environment)
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: folder))
        }
    }
}
