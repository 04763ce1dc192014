public import Foundation
public import NIOHTTP1
import KimiSwarmCore

/// Parses how long a provider asks us to wait before retrying.
public enum RetryAfter {
    /// The delay from `retry-after-ms` (OpenAI), or `Retry-After` as delta-seconds (integer or
    /// decimal) or an HTTP-date relative to `now`. `nil` when absent or unreadable; a date in
    /// the past gives zero. Capped at one day so a broken header cannot park a caller forever,
    /// and converted without ever trapping (a provider's `Retry-After: 1e300` is a day).
    public static func parse(_ headers: HTTPHeaders, now: Date = Date()) -> Duration? {
        if let milliseconds = headers.first(name: "retry-after-ms").flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }),
            milliseconds.isFinite, milliseconds >= 0
        {
            return clamp(.saturating(seconds: milliseconds / 1000))
        }
        guard let value = headers.first(name: "retry-after") else { return nil }
        return parse(value, now: now)
    }

    /// Parses one `Retry-After` value.
    public static func parse(_ value: String, now: Date = Date()) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return nil }
        if let seconds = Double(text) {
            guard seconds.isFinite, seconds >= 0 else { return nil }
            return clamp(.saturating(seconds: seconds))
        }
        guard let date = parseHTTPDate(text) else { return nil }
        let interval = date.timeIntervalSince(now)
        return clamp(.saturating(seconds: interval))
    }

    private static func clamp(_ duration: Duration) -> Duration {
        min(duration, .seconds(86_400))
    }

    private static let formats = [
        "EEE, dd MMM yyyy HH:mm:ss zzz",  // IMF-fixdate (RFC 7231)
        "EEEE, dd-MMM-yy HH:mm:ss zzz",  // RFC 850
        "EEE MMM d HH:mm:ss yyyy",  // asctime
    ]

    static func parseHTTPDate(_ text: String) -> Date? {
        for format in formats {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
