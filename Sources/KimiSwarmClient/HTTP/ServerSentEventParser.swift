/// One Server-Sent Event.
public struct ServerSentEvent: Sendable, Hashable {
    /// The `event:` field; `nil` for the default `message` type.
    public var event: String?
    /// The `data:` lines, joined with `\n`.
    public var data: String
    /// The `id:` field, where given.
    public var id: String?

    /// Creates an event.
    public init(event: String? = nil, data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }
}

/// An incremental parser of `text/event-stream` bytes, per the WHATWG specification.
///
/// Bytes arrive in arbitrary pieces; lines may end in `\n`, `\r\n` or `\r`, and a line (even
/// a multi-byte character) may be split across pieces. A pure value type with no I/O.
public struct ServerSentEventParser: Sendable {
    private var buffer: [UInt8] = []
    private var dataLines: [String] = []
    private var eventType: String?
    private var lastEventID: String?
    private var sawField = false
    private var pendingCarriageReturn = false
    private var startedStream = false

    /// Creates a parser.
    public init() {}

    /// Feeds bytes; returns the events they completed.
    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [ServerSentEvent] where Bytes.Element == UInt8 {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if pendingCarriageReturn {
                pendingCarriageReturn = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            switch byte {
            case UInt8(ascii: "\n"):
                if let event = processLine() { events.append(event) }
            case UInt8(ascii: "\r"):
                pendingCarriageReturn = true
                if let event = processLine() { events.append(event) }
            default:
                buffer.append(byte)
            }
        }
        return events
    }

    /// Ends the stream; returns an event that was complete except for its blank line, if any.
    public mutating func finish() -> ServerSentEvent? {
        if !buffer.isEmpty { _ = processLine() }
        return dispatch()
    }

    private mutating func processLine() -> ServerSentEvent? {
        var line = buffer
        buffer.removeAll(keepingCapacity: true)
        if !startedStream {
            startedStream = true
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        }
        if line.isEmpty { return dispatch() }
        if line.first == UInt8(ascii: ":") { return nil }
        let field: String
        var value: String
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            field = String(decoding: line[..<colon], as: UTF8.self)
            var valueStart = line.index(after: colon)
            if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
            value = String(decoding: line[valueStart...], as: UTF8.self)
        } else {
            field = String(decoding: line, as: UTF8.self)
            value = ""
        }
        switch field {
        case "data":
            dataLines.append(value)
            sawField = true
        case "event":
            eventType = value
            sawField = true
        case "id":
            if !value.contains("\0") { lastEventID = value }
            sawField = true
        default:
            value = ""
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            dataLines.removeAll()
            eventType = nil
            sawField = false
        }
        guard sawField, !dataLines.isEmpty else { return nil }
        return ServerSentEvent(event: eventType, data: dataLines.joined(separator: "\n"), id: lastEventID)
    }
}
