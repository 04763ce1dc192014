import Foundation
public import KimiSwarmCore

/// `current_time`: the current date and time, in UTC or a named IANA time zone.
public struct CurrentTimeTool: Tool {
    public let name = "current_time"
    public let description =
        "Returns the current date and time as ISO 8601, with the weekday. Pass `timezone` (an IANA name such as Europe/Paris) for local time; UTC otherwise."
    public let parameters: JSONValue = [
        "type": "object",
        "properties": [
            "timezone": ["type": "string", "description": "IANA time zone name, e.g. America/New_York. Default UTC."]
        ],
        "additionalProperties": false,
    ]

    private let clock: any SwarmClock
    private static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// Creates the tool reading the date from `clock` (tests pass a manual one).
    public init(clock: any SwarmClock = SystemClock()) {
        self.clock = clock
    }

    public func execute(_ arguments: JSONValue, context: ToolContext) async throws -> String {
        let zoneName = arguments["timezone"]?.stringValue ?? "UTC"
        guard let zone = TimeZone(identifier: zoneName) else {
            throw ToolError("unknown time zone \"\(zoneName)\"; pass an IANA name such as UTC, Europe/Berlin or Asia/Tokyo")
        }
        let date = clock.date()
        var style = Date.ISO8601FormatStyle(timeZoneSeparator: .colon, timeZone: zone)
        style = style.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .colon)
        let iso = date.formatted(style)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let weekday = Self.weekdays[calendar.component(.weekday, from: date) - 1]
        return "{\"time\":\"\(iso)\",\"timezone\":\"\(zoneName)\",\"weekday\":\"\(weekday)\",\"unix\":\(Int(date.timeIntervalSince1970))}"
    }
}
