import Foundation
public import Logging
import Synchronization

/// A swift-log handler that writes one JSON object per line:
/// `{"timestamp", "level", "label", "message", "source", ...metadata}`.
///
/// Metadata keys become top-level fields (nested metadata becomes nested JSON). Secrets never
/// reach it: KimiSwarm logs ``Secret`` values, which print as `***`, and never logs prompts.
public struct JSONLogHandler: LogHandler {
    /// Where lines go.
    public enum Output: Sendable {
        case standardError
        case standardOutput
    }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let output: Output

    private static let writeLock = Mutex<Void>(())

    /// Creates a handler for `label`.
    public init(label: String, output: Output = .standardError, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.output = output
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: Any] = [:]
        for (key, value) in metadata { fields[key] = Self.json(value) }
        if let provided = metadataProvider?.get() {
            for (key, value) in provided { fields[key] = Self.json(value) }
        }
        if let extra = event.metadata {
            for (key, value) in extra { fields[key] = Self.json(value) }
        }
        fields["timestamp"] = Self.timestamp()
        fields["level"] = event.level.rawValue
        fields["label"] = label
        fields["message"] = event.message.description
        fields["source"] = event.source
        let line = Self.line(fields)
        Self.writeLock.withLock { _ in
            let handle = output == .standardError ? FileHandle.standardError : FileHandle.standardOutput
            handle.write(Data(line.utf8))
        }
    }

    static func line(_ fields: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return "{\"level\":\"error\",\"message\":\"unencodable log line\"}\n"
        }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let string): return string
        case .stringConvertible(let convertible): return convertible.description
        case .array(let array): return array.map(json)
        case .dictionary(let dictionary): return dictionary.mapValues(json)
        }
    }

    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static func timestamp() -> String {
        Date().formatted(timestampStyle)
    }
}
