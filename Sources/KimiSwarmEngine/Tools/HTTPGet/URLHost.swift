public import KimiSwarmCore

/// The host of a URL, parsed the way a browser's WHATWG URL parser reads it, so that every
/// spelling of an address (`2130706433`, `0x7f.1`, `0177.0.0.1`, `%31%32%37.0.0.1`,
/// `[::ffff:7f00:1]`) becomes the address it really names before it is checked.
public enum URLHost: Sendable, Hashable, CustomStringConvertible {
    /// An address literal.
    case address(IPAddress)
    /// A domain name: lower-cased ASCII, without a trailing dot.
    case name(String)

    /// Parses the host part of a URL (IPv6 in brackets). Throws a ``ToolError`` for a host
    /// that is not valid or not supported (zone ids, non-ASCII names).
    public init(parsing raw: String) throws(ToolError) {
        if raw.hasPrefix("[") {
            guard raw.hasSuffix("]"), raw.count > 2 else {
                throw ToolError("refused: \"\(raw)\" is not a valid IPv6 host")
            }
            let inner = raw.dropFirst().dropLast()
            if inner.contains("%") {
                throw ToolError(
                    "refused: IPv6 zone ids (\"%\" in \(raw)) are not supported; only public addresses may be fetched")
            }
            guard let value = IPAddress.parseIPv6(inner) else {
                throw ToolError("refused: \"\(raw)\" is not a valid IPv6 address")
            }
            self = .address(.v6(value))
            return
        }
        guard let decoded = Self.percentDecoded(raw) else {
            throw ToolError("refused: the host \"\(raw)\" has an invalid percent-encoding")
        }
        guard !decoded.isEmpty else { throw ToolError("refused: the URL has no host") }
        guard decoded.utf8.allSatisfy({ $0 < 0x80 }) else {
            throw ToolError("refused: non-ASCII host names are not supported; pass the punycode (xn--) form")
        }
        let host = decoded.lowercased()
        guard host.utf8.allSatisfy({ Self.isHostByte($0) }) else {
            throw ToolError("refused: the host \"\(host)\" contains characters a host name cannot have")
        }
        if Self.endsInANumber(host) {
            guard let value = Self.parseWHATWGIPv4(host) else {
                throw ToolError("refused: \"\(host)\" looks like an IPv4 address but is not a valid one")
            }
            self = .address(.v4(value))
            return
        }
        var name = Substring(host)
        if name.hasSuffix(".") { name = name.dropLast() }
        guard !name.isEmpty, !name.hasPrefix("."), !name.contains("..") else {
            throw ToolError("refused: \"\(host)\" is not a valid host name")
        }
        self = .name(String(name))
    }

    public var description: String {
        switch self {
        case .address(let address): return address.uriHost
        case .name(let name): return name
        }
    }

    private static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"): return true
        default: return false
        }
    }

    private static func percentDecoded(_ text: String) -> String? {
        guard text.contains("%") else { return text }
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            else { return nil }
            bytes.append(value)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// WHATWG "ends in a number": the last label (ignoring one trailing dot) is all digits or
    /// a valid IPv4 number such as `0x7f`.
    static func endsInANumber(_ host: String) -> Bool {
        var parts = host.split(separator: ".", omittingEmptySubsequences: false)
        if parts.last == "" {
            guard parts.count > 1 else { return false }
            parts.removeLast()
        }
        guard let last = parts.last, !last.isEmpty else { return false }
        if last.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) { return true }
        return parseIPv4Number(last) != nil
    }

    /// The WHATWG IPv4 parser: one to four parts, each decimal, octal (leading 0) or hex (0x).
    static func parseWHATWGIPv4(_ host: String) -> UInt32? {
        var parts = host.split(separator: ".", omittingEmptySubsequences: false)
        if parts.last == "", parts.count > 1 { parts.removeLast() }
        guard (1...4).contains(parts.count) else { return nil }
        var numbers: [UInt64] = []
        for part in parts {
            guard let number = parseIPv4Number(part) else { return nil }
            numbers.append(number)
        }
        guard let last = numbers.last, numbers.dropLast().allSatisfy({ $0 <= 255 }) else { return nil }
        let limit = UInt64(1) << (8 * UInt64(5 - numbers.count))
        guard last < limit else { return nil }
        var value = last
        for (index, number) in numbers.dropLast().enumerated() {
            value += number << (8 * UInt64(3 - index))
        }
        return UInt32(value)
    }

    /// One part of a WHATWG IPv4 address; values above 2^32 saturate (and are refused later).
    static func parseIPv4Number(_ part: Substring) -> UInt64? {
        guard !part.isEmpty else { return nil }
        var digits = part
        var radix: UInt64 = 10
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            digits = digits.dropFirst(2)
            radix = 16
        } else if digits.count >= 2, digits.hasPrefix("0") {
            digits = digits.dropFirst()
            radix = 8
        }
        var value: UInt64 = 0
        for character in digits {
            guard let digit = character.hexDigitValue, UInt64(digit) < radix else { return nil }
            value = min(value * radix + UInt64(digit), UInt64(1) << 40)
        }
        return value
    }
}
