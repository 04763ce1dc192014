import Foundation
import KimiSwarmCore
import KimiSwarmEngine
import Testing

@testable import KimiSwarmPlatform
@testable import KimiSwarmServer

/// The OpenAPI document says what the server does: the statuses every route can answer, the
/// limits its validation uses (read from the same constants), the shape of each server-sent
/// event and the 405 every path gives for a method it does not take. The security suite
/// (scripts/security) checks the answers against it; these check the document's promises.
@Suite("OpenAPI exactness")
struct OpenAPIExactnessTests {
    let document = OpenAPIDocument.make()

    func operations() -> [(String, String, JSONValue)] {
        (document["paths"]?.objectValue ?? [:]).flatMap { path, item in
            (item.objectValue ?? [:]).map { method, operation in (method, path, operation) }
        }
    }

    @Test("every operation lists the errors its kind of route can answer")
    func errorStatuses() {
        for (method, path, operation) in operations() {
            let statuses = Set((operation["responses"]?.objectValue ?? [:]).keys)
            let name = "\(method) \(path)"
            #expect(statuses.contains("400"), "\(name): a non-canonical path is a 400 everywhere")
            if operation["x-permission"] != nil {
                #expect(statuses.isSuperset(of: ["401", "403", "404", "503"]), "\(name): \(statuses.sorted())")
            }
            if operation["requestBody"] != nil {
                #expect(statuses.isSuperset(of: ["413", "415"]), "\(name): \(statuses.sorted())")
            }
            if path.hasPrefix("/v1/"), let reference = operation["responses"]?["401"]?["$ref"]?.stringValue {
                #expect(reference.hasSuffix("Gateway401"), "\(name): the gateway answers in OpenAI's error shape")
            }
        }
        let allow = document["components"]?["responses"]?["405"]?["headers"]?["Allow"]?["required"]
        #expect(allow == .bool(true))
    }

    @Test("request schemas carry the bounds the server checks")
    func bounds() {
        let schemas = document["components"]?["schemas"]
        let budgets = schemas?["RunBudgets"]?["properties"]
        #expect(budgets?["max_sub_agents"]?["type"] == ["integer", "null"])
        #expect(budgets?["max_sub_agents"]?["maximum"] == .int(RunLimits.Bounds.maxSubAgents.upperBound))
        #expect(budgets?["max_tokens"]?["minimum"] == .int(RunLimits.Bounds.maxTokens.lowerBound))
        #expect(budgets?["max_wall_seconds"]?["maximum"] == .double(RunLimits.Bounds.maxWallSeconds))
        let limits = schemas?["LimitsUpdate"]?["properties"]
        #expect(limits?["requests_per_minute"]?["maximum"] == .int(LimitsDTO.requestsPerMinuteRange.upperBound))
        #expect(limits?["requests_per_minute"]?["minimum"] == .int(1))
        let chat = schemas?["ChatCompletionRequest"]?["properties"]
        #expect(chat?["temperature"]?["maximum"] == .double(GatewayChatRequest.temperatureRange.upperBound))
        #expect(chat?["messages"]?["maxItems"] == .int(GatewayChatRequest.maxMessages))
        #expect(schemas?["ChatCompletionRequest"]?["required"] == ["messages"])
        #expect(schemas?["RunCreate"]?["additionalProperties"] == .bool(false))
        #expect(schemas?["RunCreate"]?["properties"]?["task"]?["maxLength"] == .int(RunRequest.maxTaskBytes))
    }

    @Test("a money string is valid exactly when the server reads it as more than 0 and at most the bound")
    func moneyPattern() throws {
        let pattern = OpenAPISchemas.positiveDecimalPattern(atMost: 1_000_000)
        let regex = try Regex(pattern)
        for text in ["1", "0.5", "1000000", "1000000.000", "0.000000000000000001", "000000001.25"] {
            #expect((try? regex.wholeMatch(in: text)) != nil, "\(text) should match")
        }
        for text in ["0", "0.0", "-1", "1000000.1", "1000001", "1e3", ".5", "5.", "0.0000000000000000001", "0000000000000001"] {
            #expect((try? regex.wholeMatch(in: text)) == nil, "\(text) should not match")
        }
    }

    @Test("streamed answers describe one event each")
    func eventStreams() {
        let events = document["paths"]?["/api/v1/runs/{id}/events"]?["get"]?["responses"]?["200"]?["content"]?["text/event-stream"]?["schema"]
        #expect(events?["$ref"]?.stringValue == "#/components/schemas/RunEventMessage")
        let chat = document["paths"]?["/v1/chat/completions"]?["post"]?["responses"]?["200"]?["content"]?.objectValue
        #expect(Set(chat?.keys.map { $0 } ?? []) == ["application/json", "text/event-stream"])
        let message = document["components"]?["schemas"]?["RunEventMessage"]
        #expect(message?["required"] == ["id", "event", "data"])
    }
}
