import Foundation
import KimiSwarmCore

/// Parses durations such as `200ms`, `30s`, `10m`, `1h` or `1h30m` (a bare number is seconds).
enum DurationArgument {
    /// The longest duration accepted: a year (beyond it a value is a typo, and conversions of
    /// it to integer units would overflow).
    static let maximumSeconds: Double = 31_536_000

    static func seconds(_ text: String, option: String) throws -> Double {
        let value = try parse(text, option: option)
        guard value.isFinite, value <= maximumSeconds else {
            throw KimiSwarmError.configuration("\(option) '\(text)' is too long", hint: "Use at most a year (365d is 8760h).")
        }
        return value
    }

    private static func parse(_ text: String, option: String) throws -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let plain = Double(trimmed), plain > 0 { return plain }
        var total = 0.0
        var number = ""
        var unit = ""
        var parsedAny = false
        func flush() throws {
            guard !number.isEmpty, let value = Double(number) else { throw invalid() }
            switch unit {
            case "ms": total += value / 1000
            case "s", "": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            default: throw invalid()
            }
            number = ""
            unit = ""
            parsedAny = true
        }
        func invalid() -> KimiSwarmError {
            KimiSwarmError.configuration("\(option) '\(text)' is not a duration", hint: "Use forms like 200ms, 30s, 10m, 1h or 1h30m.")
        }
        for character in trimmed {
            if character.isNumber || character == "." {
                if !unit.isEmpty { try flush() }
                number.append(character)
            } else if character.isLetter {
                unit.append(character)
            } else {
                throw invalid()
            }
        }
        try flush()
        guard parsedAny, total > 0 else { throw invalid() }
        return total
    }
}
