import KimiSwarmCore
import KimiSwarmEngine
import Testing

@Suite struct HTTPGetAddressPolicyTests {
    /// URL hosts (as written between `//` and the port) that the default policy refuses.
    static let refused: [String] = [
        // IPv4 loopback in every spelling a browser accepts
        "127.0.0.1", "127.1", "127.0.1", "2130706433", "0x7f000001", "0X7F000001", "0x7f.0.0.1", "0x7f.1",
        "0177.0.0.1", "0177.1", "017700000001", "127.0.0.1.", "%31%32%37.0.0.1", "127.000.000.001", "127.255.255.254",
        // unspecified, private, carrier-grade NAT, link-local
        "0", "0.0.0.0", "0x0", "10.1", "10.0.0.5", "012.0.0.1", "167772161", "172.16.0.1", "172.31.255.255",
        "192.168.1.1", "0xc0a80101", "100.64.0.1", "100.127.255.255", "169.254.1.1",
        // cloud metadata
        "169.254.169.254", "0xa9fea9fe", "2852039166", "100.100.100.200", "192.0.0.192",
        "metadata.google.internal", "METADATA.GOOGLE.INTERNAL.", "metadata",
        // multicast, broadcast, reserved, documentation, benchmarking
        "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1", "192.0.2.1", "198.18.0.1", "203.0.113.7",
        // IPv6 loopback, unspecified, private, link-local, multicast, metadata
        "[::1]", "[0:0:0:0:0:0:0:1]", "[::]", "[fc00::1]", "[fd12:3456::1]", "[fd00:ec2::254]", "[fe80::1]",
        "[FE80::abcd]", "[ff02::1]", "[fec0::1]", "[2001:db8::1]", "[100::1]",
        // IPv6 forms embedding a refused IPv4 address
        "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::FFFF:10.0.0.1]", "[::127.0.0.1]", "[::7f00:1]",
        "[::ffff:169.254.169.254]", "[64:ff9b::7f00:1]", "[64:ff9b::10.0.0.1]", "[64:ff9b::a9fe:a9fe]",
        "[2002:7f00:1::]", "[2002:a9fe:a9fe::1]", "[2002:c0a8:101::5]",
        // zone ids, names of the local machine and of internal networks
        "[fe80::1%25eth0]", "[::1%25lo]", "localhost", "LOCALHOST", "localhost.", "foo.localhost", "db.internal",
        "printer.local", "intranet",
        // not valid hosts at all
        "1.2.3.4.5", "256.0.0.1", "1.256.0.1", "0x100000000", "4294967296", "08.0.0.1", "[::1",
        "[1:2:3:4:5:6:7:8:9]", "exa mple.com", "", "ex\u{E4}mple.com",
    ]

    /// URL hosts that pass (names still have their resolved addresses checked later).
    static let allowed: [String] = [
        "8.8.8.8", "1.1.1.1", "93.184.216.34", "134744072", "0x5db8d822", "0x08.0x08.0x08.0x08", "8.8.2056",
        "11.0.0.1", "172.32.0.1", "100.128.0.1", "169.255.0.1", "[2606:4700::1111]", "[2001:4860:4860::8888]",
        "[2606:4700:4700:0:0:0:0:1111]", "[::ffff:8.8.8.8]", "[64:ff9b::808:808]", "[2002:808:808::1]",
        "example.com", "docs.example.com.", "Example.COM", "xn--bcher-kva.example",
    ]

    @Test(arguments: refused) func refusesByDefault(host: String) {
        let decision = AddressPolicy().check(urlHost: host)
        #expect(!decision.isAllowed, "\(host) should be refused")
        if case .refused(let reason) = decision { #expect(reason.hasPrefix("refused: "), "\(reason)") }
    }

    @Test(arguments: allowed) func allowsPublicHosts(host: String) {
        #expect(AddressPolicy().check(urlHost: host) == .allowed, "\(host) should be allowed")
    }

    @Test func tableIsLargeEnough() {
        #expect(Self.refused.count + Self.allowed.count >= 40)
    }

    @Test func reasonsNameTheRangeAndSayWhatIsAllowed() {
        let policy = AddressPolicy()
        #expect(
            policy.check(urlHost: "10.0.0.5")
                == .refused("refused: 10.0.0.5 is a private address (10.0.0.0/8); only public addresses may be fetched")
        )
        #expect(
            reasonText(policy.check(urlHost: "2130706433")).contains("127.0.0.1 is a loopback address (127.0.0.0/8)"))
        #expect(reasonText(policy.check(urlHost: "169.254.169.254")).contains("cloud metadata"))
        #expect(
            reasonText(policy.check(urlHost: "[::ffff:7f00:1]")).contains(
                "IPv4-mapped IPv6 address embedding 127.0.0.1"))
        #expect(reasonText(policy.check(urlHost: "[2002:a9fe:a9fe::1]")).contains("6to4"))
        #expect(reasonText(policy.check(urlHost: "[64:ff9b::7f00:1]")).contains("NAT64"))
        #expect(reasonText(policy.check(urlHost: "100.64.0.1")).contains("carrier-grade NAT"))
        #expect(reasonText(policy.check(urlHost: "localhost")).contains("localhost"))
        #expect(reasonText(policy.check(urlHost: "[fe80::1%25eth0]")).contains("zone id"))
        let resolved = policy.check(address: IPAddress("192.168.1.20")!, resolvedFrom: "rebind.test")
        #expect(reasonText(resolved).contains("rebind.test resolved to 192.168.1.20, which is a private address"))
    }

    @Test func allowListOpensExceptions() {
        let loopback = AddressPolicy(allowList: ["127.0.0.1"])
        #expect(loopback.check(urlHost: "127.0.0.1") == .allowed)
        #expect(loopback.check(urlHost: "2130706433") == .allowed)
        #expect(!loopback.check(urlHost: "127.0.0.2").isAllowed)
        #expect(!loopback.check(urlHost: "[::1]").isAllowed)

        let range = AddressPolicy(allowList: ["10.1.0.0/16", "fd00:1::/32"])
        #expect(range.check(urlHost: "10.1.2.3") == .allowed)
        #expect(range.check(urlHost: "10.1.515") == .allowed)  // 10.1.2.3 spelled short
        #expect(!range.check(urlHost: "10.2.0.1").isAllowed)
        #expect(range.check(urlHost: "[fd00:1:abcd::1]") == .allowed)
        #expect(!range.check(urlHost: "[fd00:2::1]").isAllowed)

        let names = AddressPolicy(allowList: ["*.corp.example", "wiki.internal", "localhost"])
        #expect(names.check(name: "docs.corp.example") == .allowed)
        #expect(names.check(name: "wiki.internal") == .allowed)
        #expect(names.check(name: "localhost") == .allowed)
        #expect(!names.check(name: "db.internal").isAllowed)
        #expect(names.check(address: IPAddress("10.9.8.7")!, resolvedFrom: "docs.corp.example") == .allowed)
        #expect(!names.check(address: IPAddress("10.9.8.7")!, resolvedFrom: "evil.example").isAllowed)
        #expect(!names.check(address: IPAddress("10.9.8.7")!).isAllowed)
    }

    @Test func metadataNeedsAnExactEntry() {
        let wide = AddressPolicy(allowList: ["169.254.0.0/16", "*.corp.example"])
        #expect(wide.check(urlHost: "169.254.1.1") == .allowed)
        #expect(!wide.check(urlHost: "169.254.169.254").isAllowed)
        #expect(!wide.check(address: IPAddress("169.254.169.254")!, resolvedFrom: "x.corp.example").isAllowed)
        #expect(AddressPolicy(allowList: ["169.254.169.254"]).check(urlHost: "169.254.169.254") == .allowed)
    }

    @Test func invalidAllowListEntriesOpenNothing() {
        let policy = AddressPolicy(allowList: ["10.0.0.0/33", "", "  ", "10.0.0.0/"])
        #expect(!policy.check(urlHost: "10.0.0.1").isAllowed)
    }

    @Test func addressTextRoundTrips() {
        for text in ["8.8.8.8", "::1", "::", "2001:db8::1", "fe80::1:2", "2606:4700::1111", "1:0:0:1::1", "1::1:0:0:1"]
        {
            #expect(IPAddress(text)?.description == text)
        }
        #expect(IPAddress("2001:DB8:0:0:0:0:0:1")?.description == "2001:db8::1")
        #expect(IPAddress("::ffff:127.0.0.1") == IPAddress("::ffff:7f00:1"))
        #expect(IPAddress("127.1") == nil)
        #expect(IPAddress("01.2.3.4") == nil)
        #expect(IPAddress("1:2:3:4:5:6:7::8") == nil)
        #expect(IPAddress(bytes: [127, 0, 0, 1]) == .v4(0x7F00_0001))
    }

    @Test func hostParsingNormalises() throws {
        #expect(try URLHost(parsing: "0x7f.1") == .address(.v4(0x7F00_0001)))
        #expect(try URLHost(parsing: "Example.COM.") == .name("example.com"))
        #expect(try URLHost(parsing: "[::FFFF:7F00:1]").description == "[::ffff:7f00:1]")
    }

    private func reasonText(_ decision: AddressPolicy.Decision) -> String {
        if case .refused(let reason) = decision { return reason }
        return "allowed"
    }
}
