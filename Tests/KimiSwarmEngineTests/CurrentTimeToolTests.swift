import Foundation
import KimiSwarmCore
import KimiSwarmEngine
import KimiSwarmTesting
import Testing

@Suite struct CurrentTimeToolTests {
    let context = ToolContext(runID: "r", agentID: "a", templateID: "t", stepID: "s")

    @Test func utcByDefaultAndNamedZones() async throws {
        let tool = CurrentTimeTool(clock: ManualClock(epoch: Date(timeIntervalSince1970: 1_795_000_000)))
        let utc = try JSONValue(parsing: try await tool.execute([:], context: context))
        #expect(utc["time"]?.stringValue == "2026-11-18T11:06:40Z")
        #expect(utc["weekday"]?.stringValue == "Wednesday")
        #expect(utc["unix"]?.intValue == 1_795_000_000)
        let tokyo = try JSONValue(parsing: try await tool.execute(["timezone": "Asia/Tokyo"], context: context))
        #expect(tokyo["time"]?.stringValue == "2026-11-18T20:06:40+09:00")
    }

    @Test func unknownZoneIsAToolError() async {
        let tool = CurrentTimeTool()
        await #expect(throws: ToolError.self) { try await tool.execute(["timezone": "Mars/Olympus"], context: context) }
    }
}
