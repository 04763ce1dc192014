import Foundation
import KimiSwarmCore
import KimiSwarmStore
import Testing

/// The gateway against the official OpenAI Python SDK (`openai` in the venv scripts/test
/// makes at `.build/pyenv`, named by `KIMISWARM_TEST_PYTHON`). Skipped with a note when that
/// variable is unset outside CI; in CI (`CI=true`) a missing Python fails.
@Suite("Gateway with the official OpenAI Python SDK")
struct GatewayOpenAISDKTests {
    static let python = ProcessInfo.processInfo.environment["KIMISWARM_TEST_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
    static let inCI = ProcessInfo.processInfo.environment["CI"] == "true"

    static let script = #"""
        import json, sys
        import openai

        base, key, limited_key = sys.argv[1], sys.argv[2], sys.argv[3]
        client = openai.OpenAI(base_url=base + "/v1", api_key=key, max_retries=0)
        out = {"version": openai.__version__}

        r = client.chat.completions.create(model="kimi-k2.6", messages=[{"role": "user", "content": "hello sdk"}])
        out["chat"] = r.choices[0].message.content
        out["chat_total_tokens"] = r.usage.total_tokens

        parts, usage = [], None
        stream = client.chat.completions.create(
            model="kimi-k2.6", messages=[{"role": "user", "content": "stream to the sdk"}], stream=True,
            stream_options={"include_usage": True})
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                parts.append(chunk.choices[0].delta.content)
            if chunk.usage:
                usage = chunk.usage.total_tokens
        out["stream"] = "".join(parts)
        out["stream_total_tokens"] = usage

        tools = [{"type": "function", "function": {"name": "get_weather", "description": "The weather in a city",
                  "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]
        first = [{"role": "user", "content": "please use tool"}]
        r = client.chat.completions.create(model="kimi-k2.6", messages=first, tools=tools)
        call = r.choices[0].message.tool_calls[0]
        out["tool_finish"] = r.choices[0].finish_reason
        out["tool_name"] = call.function.name
        out["tool_arguments"] = json.loads(call.function.arguments)
        assistant = {"role": "assistant", "content": None, "tool_calls": [
            {"id": call.id, "type": "function", "function": {"name": call.function.name, "arguments": call.function.arguments}}]}
        r = client.chat.completions.create(
            model="kimi-k2.6", tools=tools,
            messages=first + [assistant, {"role": "tool", "tool_call_id": call.id, "content": "sunny"}])
        out["after_tool"] = r.choices[0].message.content

        out["models"] = [m.id for m in client.models.list()]
        e = client.embeddings.create(model="text-embedding-3-small", input=["alpha", "beta"])
        out["embeddings"] = [len(d.embedding) for d in e.data]

        try:
            openai.OpenAI(base_url=base + "/v1", api_key="ks_not_a_real_key_0000000000000000", max_retries=0).models.list()
            out["bad_key"] = "no error"
        except openai.AuthenticationError as error:
            out["bad_key"] = "AuthenticationError %d" % error.status_code

        limited = openai.OpenAI(base_url=base + "/v1", api_key=limited_key, max_retries=0)
        limited.chat.completions.create(model="kimi-k2.6", messages=[{"role": "user", "content": "one"}])
        try:
            limited.chat.completions.create(model="kimi-k2.6", messages=[{"role": "user", "content": "two"}])
            out["over_quota"] = "no error"
        except openai.RateLimitError as error:
            out["over_quota"] = "RateLimitError %d %s" % (error.status_code, error.response.headers.get("retry-after"))

        print(json.dumps(out))
        """#

    @Test(
        "chat, streaming, tool calls, models, embeddings and errors through openai.OpenAI",
        .enabled(if: python != nil || inCI, "KIMISWARM_TEST_PYTHON is not set: run scripts/test, which makes .build/pyenv with the openai package"))
    func officialSDK() async throws {
        let python = try #require(Self.python, "KIMISWARM_TEST_PYTHON must name a Python with the openai package (scripts/test sets it)")
        try await withTestServer(.sqlite) { server in
            let (_, key) = try await server.tenant(role: .developer)
            let (limitedTenant, limitedKey) = try await server.tenant(role: .developer)
            try await server.store.quotas.setQuota(tenantID: limitedTenant, limits: QuotaLimits(requestsPerMinute: 1))
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("kimiswarm-sdk-\(UUID().uuidString).py")
            try Self.script.write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            let (status, output, errors) = try await Self.run(python, [file.path, server.baseURL, key, limitedKey])
            #expect(status == 0, "python failed: \(errors)")
            let json = try #require(try? JSONValue(parsing: output), "not JSON: \(output) \(errors)")
            #expect(json["chat"]?.stringValue == "Echo: hello sdk")
            #expect((json["chat_total_tokens"]?.intValue ?? 0) > 0)
            #expect(json["stream"]?.stringValue == "Echo: stream to the sdk")
            #expect((json["stream_total_tokens"]?.intValue ?? 0) > 0)
            #expect(json["tool_finish"]?.stringValue == "tool_calls")
            #expect(json["tool_name"]?.stringValue == "get_weather")
            #expect(json["tool_arguments"]?["echo"]?.stringValue == "please use tool")
            #expect(json["after_tool"]?.stringValue?.hasPrefix("Echo:") == true)
            #expect(json["models"]?.arrayValue?.contains(.string("kimi-k2.6")) == true)
            #expect(json["embeddings"]?.arrayValue?.count == 2)
            #expect((json["embeddings"]?[0]?.intValue ?? 0) > 0)
            #expect(json["bad_key"]?.stringValue == "AuthenticationError 401")
            #expect(json["over_quota"]?.stringValue?.hasPrefix("RateLimitError 429 ") == true)
        }
    }

    /// Runs a process to its end: exit status, standard output and standard error. Output goes
    /// to files, so no thread of the test's concurrency pool blocks on a pipe while the server
    /// under test needs it.
    static func run(_ executable: String, _ arguments: [String]) async throws -> (Int32, String, String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sdk-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outURL = folder.appendingPathComponent("stdout")
        let errURL = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = FileHandle.nullDevice
        let (done, continuation) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
        try process.run()
        var status: Int32 = -1
        for await code in done { status = code }
        let out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return (status, out, err)
    }
}
