import Foundation
import KimiSwarmCore

/// Which hosts and addresses `http_get` may fetch: only public addresses, unless the
/// allow-list opens an exception. Pure (no I/O), so every rule is unit-testable.
///
/// Refused: loopback, unspecified, private (RFC 1918, fc00::/7), carrier-grade NAT,
/// link-local, cloud metadata endpoints, multicast, broadcast, reserved and documentation
/// ranges, any IPv6 outside global unicast 2000::/3, and IPv6 forms that embed an IPv4
/// address (mapped, compatible, NAT64 64:ff9b::/96, 6to4 2002::/16) whose IPv4 address is
/// refused. Names refused before resolution: `localhost` and `*.localhost`, `*.internal`
/// (`metadata.google.internal`), `*.local`, `*.localdomain`, `*.home.arpa`, and names
/// without a dot.
///
/// Allow-list entries are host names (`docs.example.com`, `*.example.com`: the name and
/// whatever it resolves to are allowed), addresses (`127.0.0.1`) or CIDR ranges
/// (`10.1.0.0/16`). A cloud metadata address is only allowed by an entry naming exactly
/// that address, never by a wider range.
public struct AddressPolicy: Sendable, Hashable {
    /// The outcome of a check.
    public enum Decision: Sendable, Hashable {
        /// The host or address may be fetched.
        case allowed
        /// Refused; the reason is written for the model.
        case refused(String)

        /// Whether the decision is ``allowed``.
        public var isAllowed: Bool { self == .allowed }
    }

    private var names: Set<String> = []
    private var suffixes: [String] = []
    private var ranges: [IPRange] = []

    /// Creates a policy; entries that are neither a host name, an address nor a CIDR range are ignored.
    public init(allowList: [String] = []) {
        for raw in allowList {
            let entry = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if let range = IPRange(entry) {
                ranges.append(range)
            } else if entry.hasPrefix("*."), entry.count > 2 {
                suffixes.append(String(entry.dropFirst(1)))
            } else if !entry.isEmpty {
                names.insert(entry.hasSuffix(".") ? String(entry.dropLast()) : entry)
            }
        }
    }

    /// Whether a host name (lower-cased, without trailing dot) is on the allow-list by name.
    public func isAllowListed(name: String) -> Bool {
        names.contains(name) || suffixes.contains { name.hasSuffix($0) }
    }

    /// Checks a URL host before any resolution: address literals completely, names by name.
    public func check(host: URLHost) -> Decision {
        switch host {
        case .address(let address): return check(address: address)
        case .name(let name): return check(name: name)
        }
    }

    /// Parses a URL's host (as ``URLHost`` does) and checks it; a host that cannot be parsed is refused.
    public func check(urlHost: String) -> Decision {
        do throws(ToolError) {
            return check(host: try URLHost(parsing: urlHost))
        } catch {
            return .refused(error.message)
        }
    }

    /// Checks a host name before resolution (the addresses it resolves to are checked too).
    public func check(name: String) -> Decision {
        if isAllowListed(name: name) { return .allowed }
        let why: String?
        if name == "localhost" || name.hasSuffix(".localhost") || name == "localhost.localdomain" {
            why = "is the local machine (localhost)"
        } else if name == "metadata.google.internal" || name == "metadata" || name == "instance-data" {
            why = "is a cloud metadata service"
        } else if let suffix = [".internal", ".local", ".localdomain", ".home.arpa", ".lan", ".intranet"]
            .first(where: { name.hasSuffix($0) })
        {
            why = "is an internal name (*\(suffix))"
        } else if !name.contains(".") {
            why = "has no dot, so it names a machine on the local network"
        } else {
            why = nil
        }
        guard let why else { return .allowed }
        return .refused("refused: \(name) \(why); only public addresses may be fetched")
    }

    /// Checks an address; `name` is the host it was resolved from (an allow-listed name
    /// allows its addresses, except cloud metadata addresses).
    public func check(address: IPAddress, resolvedFrom name: String? = nil) -> Decision {
        let metadata = Self.metadataAddresses.contains(address)
        if metadata {
            if ranges.contains(where: { $0.isSingle(address) }) { return .allowed }
        } else if ranges.contains(where: { $0.contains(address) }) || name.map(isAllowListed(name:)) == true {
            return .allowed
        }
        guard let reason = Self.blockReason(address) else { return .allowed }
        let subject = name.map { "\($0) resolved to \(address), which" } ?? "\(address)"
        return .refused("refused: \(subject) is \(reason); only public addresses may be fetched")
    }

    static let metadataAddresses: Set<IPAddress> = [
        .v4(0xA9FE_A9FE),  // 169.254.169.254 AWS, GCP, Azure, OpenStack
        .v4(0x6464_64C8),  // 100.100.100.200 Alibaba Cloud
        .v4(0xC000_00C0),  // 192.0.0.192 Oracle Cloud
        IPAddress("fd00:ec2::254")!,  // AWS over IPv6
    ]

    /// Why an address is not public, or nil when it is.
    static func blockReason(_ address: IPAddress) -> String? {
        if metadataAddresses.contains(address) { return "a cloud metadata address" }
        switch address {
        case .v4(let value):
            if value == 0xFFFF_FFFF { return "the broadcast address" }
            return v4Blocks.first { $0.range.contains(address) }.map { "\($0.what) (\($0.range))" }
        case .v6(let value):
            if value == 0 { return "the unspecified address (::)" }
            if value == 1 { return "a loopback address (::1)" }
            for (prefix, what) in embeddingPrefixes where prefix.range.contains(address) {
                let embedded = IPAddress.v4(prefix.extract(value))
                guard let reason = blockReason(embedded) else { return nil }
                return "\(what) embedding \(embedded), which is \(reason)"
            }
            if let block = v6Blocks.first(where: { $0.range.contains(address) }) {
                return "\(block.what) (\(block.range))"
            }
            if !IPRange(.v6(UInt128(0x2) << 124), prefix: 3).contains(address) {
                return "outside global unicast IPv6 (2000::/3), a reserved address"
            }
            return nil
        }
    }

    private struct Block {
        var range: IPRange
        var what: String
        init(_ cidr: String, _ what: String) {
            self.range = IPRange(cidr)!
            self.what = what
        }
    }

    private struct Embedding {
        var range: IPRange
        var shift: UInt128
        func extract(_ value: UInt128) -> UInt32 { UInt32(truncatingIfNeeded: value >> shift) }
    }

    private static let v4Blocks: [Block] = [
        Block("0.0.0.0/8", "an unspecified address"),
        Block("10.0.0.0/8", "a private address"),
        Block("100.64.0.0/10", "a carrier-grade NAT address"),
        Block("127.0.0.0/8", "a loopback address"),
        Block("169.254.0.0/16", "a link-local address"),
        Block("172.16.0.0/12", "a private address"),
        Block("192.0.0.0/24", "a reserved protocol-assignment address"),
        Block("192.0.2.0/24", "a documentation address"),
        Block("192.88.99.0/24", "a reserved 6to4 relay address"),
        Block("192.168.0.0/16", "a private address"),
        Block("198.18.0.0/15", "a benchmarking address"),
        Block("198.51.100.0/24", "a documentation address"),
        Block("203.0.113.0/24", "a documentation address"),
        Block("224.0.0.0/4", "a multicast address"),
        Block("240.0.0.0/4", "a reserved address"),
    ]

    private static let embeddingPrefixes: [(Embedding, String)] = [
        (Embedding(range: IPRange("::ffff:0:0/96")!, shift: 0), "an IPv4-mapped IPv6 address"),
        (Embedding(range: IPRange("::/96")!, shift: 0), "an IPv4-compatible IPv6 address"),
        (Embedding(range: IPRange("64:ff9b::/96")!, shift: 0), "a NAT64 address"),
        (Embedding(range: IPRange("2002::/16")!, shift: 80), "a 6to4 address"),
    ]

    private static let v6Blocks: [Block] = [
        Block("64:ff9b:1::/48", "a local-use NAT64 address"),
        Block("100::/64", "a discard-only address"),
        Block("2001::/32", "a Teredo tunnel address"),
        Block("2001:2::/48", "a benchmarking address"),
        Block("2001:10::/28", "a reserved ORCHID address"),
        Block("2001:20::/28", "a reserved ORCHID address"),
        Block("2001:db8::/32", "a documentation address"),
        Block("3fff::/20", "a documentation address"),
        Block("fc00::/7", "a private (unique local) address"),
        Block("fe80::/10", "a link-local address"),
        Block("fec0::/10", "a site-local address"),
        Block("ff00::/8", "a multicast address"),
    ]
}
