import Foundation
import KimiSwarmClient
import KimiSwarmCore
import Testing

@Suite("Cache: canonical key")
struct CacheKeyTests {
    static let base = ChatRequest(
        model: "kimi-k2.6", messages: [.system("Be brief."), .user("Hi")], temperature: 0.6, maxTokens: 100,
        tools: [ToolDefinition(name: "f", parameters: ["type": "object", "properties": ["a": ["type": "string"], "b": ["type": "integer"]]])],
        extraBody: ["x": 1, "y": ["p": true, "q": "r"]])

    static func key(_ request: ChatRequest, scope: String? = nil, provider: ProviderID = .moonshot, model: String = "kimi-k2.6") -> CacheKey {
        if let scope { return CacheKey(scope: scope, provider: provider, model: model, request: request) }
        return CacheKey(provider: provider, model: model, request: request)
    }

    @Test("the key is 64 lowercase hex digits and stable")
    func shape() {
        let key = Self.key(Self.base)
        #expect(key.hex.count == 64)
        #expect(key.hex.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(key == Self.key(Self.base))
    }

    @Test("the order of fields and of object keys does not matter")
    func orderIrrelevant() throws {
        var reordered = Self.base
        reordered.extraBody = ["y": ["q": "r", "p": true], "x": 1]
        reordered.tools = [ToolDefinition(name: "f", parameters: ["properties": ["b": ["type": "integer"], "a": ["type": "string"]], "type": "object"])]
        #expect(Self.key(reordered) == Self.key(Self.base))

        let json1 = #"{"messages":[{"role":"user","content":"Hi"}],"temperature":0.5,"seed":7,"extraBody":{"a":1,"b":2}}"#
        let json2 = #"{"extraBody":{"b":2,"a":1},"seed":7,"temperature":0.5,"messages":[{"content":"Hi","role":"user"}]}"#
        let request1 = try JSONDecoder().decode(ChatRequest.self, from: Data(json1.utf8))
        let request2 = try JSONDecoder().decode(ChatRequest.self, from: Data(json2.utf8))
        #expect(Self.key(request1) == Self.key(request2))
    }

    static let changes: [(String, @Sendable (inout ChatRequest) -> Void)] = [
        ("message text", { $0.messages[1] = .user("Hi!") }),
        ("message added", { $0.messages.append(.assistant("Hello")) }),
        ("system prompt", { $0.messages[0] = .system("Be long.") }),
        ("temperature", { $0.temperature = 0.7 }),
        ("top_p", { $0.topP = 0.9 }),
        ("max tokens", { $0.maxTokens = 101 }),
        ("stop", { $0.stop = ["END"] }),
        ("tools", { $0.tools = [] }),
        ("tool schema", { $0.tools[0].parameters = ["type": "object"] }),
        ("tool choice", { $0.toolChoice = .required }),
        ("parallel tool calls", { $0.parallelToolCalls = false }),
        ("response format", { $0.responseFormat = .jsonObject }),
        ("thinking", { $0.thinking = .disabled }),
        ("reasoning effort", { $0.reasoningEffort = "low" }),
        ("seed", { $0.seed = 1 }),
        ("presence penalty", { $0.presencePenalty = 0.1 }),
        ("frequency penalty", { $0.frequencyPenalty = 0.1 }),
        ("user", { $0.user = "u1" }),
        ("extra body", { $0.extraBody["x"] = 2 }),
    ]

    @Test("any change of content changes the key", arguments: 0..<changes.count)
    func contentChanges(index: Int) {
        var changed = Self.base
        Self.changes[index].1(&changed)
        #expect(Self.key(changed) != Self.key(Self.base), "\(Self.changes[index].0)")
    }

    @Test("provider and model are part of the key")
    func providerAndModel() {
        #expect(Self.key(Self.base, provider: .openai) != Self.key(Self.base))
        #expect(Self.key(Self.base, model: "kimi-k3") != Self.key(Self.base))
    }

    @Test("options other than the scope, stream options and the request's model spelling do not change the key")
    func optionsIgnored() {
        var changed = Self.base
        changed.options = RequestOptions(
            cache: .refresh, routeTag: "fast", costPreference: .lowest, complexity: 0.9, labels: ["run": "42"])
        changed.streamOptions = StreamOptions(includeUsage: false)
        changed.model = nil
        #expect(Self.key(changed) == Self.key(Self.base))
    }

    @Test("the scope changes the key")
    func scopeMatters() {
        var tenantA = Self.base
        tenantA.options.cacheScope = "tenant-a"
        var tenantB = Self.base
        tenantB.options.cacheScope = "tenant-b"
        #expect(Self.key(tenantA) != Self.key(tenantB))
        #expect(Self.key(tenantA) != Self.key(Self.base))
        #expect(Self.key(Self.base, scope: "tenant-a") == Self.key(tenantA))
    }

    @Test("a request JSON cannot express (NaN temperature) still gets a key of its own content")
    func unencodable() {
        var first = Self.base
        first.temperature = .nan
        var second = first
        second.messages[1] = .user("Something else")
        #expect(Self.key(first) != Self.key(second))
        #expect(Self.key(first, scope: "a") != Self.key(first, scope: "b"))
    }
}
