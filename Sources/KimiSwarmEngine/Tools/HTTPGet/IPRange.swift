/// A CIDR range of IPv4 or IPv6 addresses (`10.0.0.0/8`, `fc00::/7`); a bare address is a
/// range of one.
struct IPRange: Sendable, Hashable, CustomStringConvertible {
    var base: IPAddress
    var prefix: Int

    init(_ base: IPAddress, prefix: Int) {
        self.base = base
        self.prefix = prefix
    }

    /// Parses `address` or `address/prefix`; nil for anything else.
    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let address = IPAddress(String(parts[0])) else { return nil }
        let width: Int
        switch address {
        case .v4: width = 32
        case .v6: width = 128
        }
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let bits = Int(parts[1]),
                bits <= width
            else { return nil }
            prefix = bits
        } else {
            prefix = width
        }
        base = address
    }

    /// Whether the range holds `address` (never across families).
    func contains(_ address: IPAddress) -> Bool {
        switch (base, address) {
        case (.v4(let network), .v4(let value)):
            guard prefix > 0 else { return true }
            let mask = UInt32.max << UInt32(32 - prefix)
            return network & mask == value & mask
        case (.v6(let network), .v6(let value)):
            guard prefix > 0 else { return true }
            let mask = UInt128.max << UInt128(128 - prefix)
            return network & mask == value & mask
        default:
            return false
        }
    }

    /// Whether the range is exactly the one address `address`.
    func isSingle(_ address: IPAddress) -> Bool {
        base == address && prefix == (address.isV4 ? 32 : 128)
    }

    var description: String { "\(base)/\(prefix)" }
}

extension IPAddress {
    var isV4: Bool {
        if case .v4 = self { return true }
        return false
    }
}
