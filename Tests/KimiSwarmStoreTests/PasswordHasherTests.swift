import Foundation
import KimiSwarmStore
import Testing

@Suite("Password hashing (scrypt)")
struct PasswordHasherTests {
    let hasher = PasswordHasher(costLog2: 10)

    @Test("hash and verify round trip; a wrong password fails")
    func roundTrip() throws {
        let encoded = try hasher.hash("correct horse battery staple")
        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
        #expect(fields.count == 6)
        #expect(fields.prefix(4) == ["scrypt", "10", "8", "1"])
        #expect(Data(base64Encoded: String(fields[4]))?.count == 16)
        #expect(Data(base64Encoded: String(fields[5]))?.count == 32)
        #expect(hasher.verify("correct horse battery staple", against: encoded))
        #expect(!hasher.verify("correct horse battery stapler", against: encoded))
        #expect(!hasher.verify("Correct horse battery staple", against: encoded))
        #expect(!hasher.verify("", against: encoded))
        // Unicode passwords hash their UTF-8 bytes.
        let unicode = try hasher.hash("pässwörd-🔑")
        #expect(hasher.verify("pässwörd-🔑", against: unicode))
        #expect(!hasher.verify("passwörd-🔑", against: unicode))
    }

    @Test("two hashes of one password differ (random salt), and both verify")
    func salted() throws {
        let first = try hasher.hash("same password")
        let second = try hasher.hash("same password")
        #expect(first != second)
        #expect(hasher.verify("same password", against: first))
        #expect(hasher.verify("same password", against: second))
    }

    @Test("a hash made at another cost verifies: parameters come from the string")
    func otherCost() throws {
        let encoded = try PasswordHasher(costLog2: 11).hash("pw-at-cost-11")
        #expect(encoded.hasPrefix("scrypt$11$8$1$"))
        #expect(hasher.verify("pw-at-cost-11", against: encoded))
        #expect(PasswordHasher(costLog2: 12).verify("pw-at-cost-11", against: encoded))
    }

    @Test("the empty password is refused by hash")
    func emptyPassword() {
        #expect(throws: StoreError.self) { try hasher.hash("") }
    }

    @Test("garbage and out-of-bounds strings are false, never a crash")
    func garbage() throws {
        let good = try hasher.hash("secret-1")
        let fields = good.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        func with(_ index: Int, _ value: String) -> String {
            var copy = fields
            copy[index] = value
            return copy.joined(separator: "$")
        }
        let bad = [
            "", "$", "scrypt", "scrypt$$$$$", "bcrypt$10$8$1$\(fields[4])$\(fields[5])", good + "$", String(good.dropLast(4)),
            "scrypt$10$8$1$\(fields[4])", "$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
            with(1, "9"), with(1, "21"), with(1, "64"), with(1, "-1"), with(1, "x"), with(1, " 10"), with(1, "010"),
            with(2, "0"), with(2, "17"), with(2, "99999999999999999999"), with(3, "0"), with(3, "5"),
            with(4, "not base64!"), with(4, ""), with(4, "AA=="), with(5, "%%%"), with(5, ""), with(5, "AAAA"),
            String(repeating: "scrypt$", count: 10_000), "scrypt$10$8$1$\u{0}$\u{0}",
        ]
        for encoded in bad {
            #expect(!hasher.verify("secret-1", against: encoded), "accepted: \(encoded.prefix(80))")
            #expect(hasher.needsRehash(encoded))
        }
        // Within bounds but too much memory in total (128 * r * N > 1 GiB): refused without deriving.
        #expect(!hasher.verify("secret-1", against: "scrypt$20$16$1$\(fields[4])$\(fields[5])"))
        // The unmodified string still verifies (the mutations above were what failed).
        #expect(hasher.verify("secret-1", against: good))
    }

    @Test("a tampered hash or salt fails")
    func tampered() throws {
        let good = try hasher.hash("secret-2")
        var fields = good.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        var hash = try #require(Data(base64Encoded: fields[5]))
        hash[31] ^= 1
        fields[5] = hash.base64EncodedString()
        #expect(!hasher.verify("secret-2", against: fields.joined(separator: "$")))
        var salt = try #require(Data(base64Encoded: good.split(separator: "$")[4].description))
        salt[0] ^= 1
        var saltFields = good.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        saltFields[4] = salt.base64EncodedString()
        #expect(!hasher.verify("secret-2", against: saltFields.joined(separator: "$")))
    }

    @Test("needsRehash: lower cost yes, same or higher no")
    func rehash() throws {
        let at10 = try PasswordHasher(costLog2: 10).hash("pw")
        let at12 = try PasswordHasher(costLog2: 12).hash("pw")
        #expect(!PasswordHasher(costLog2: 10).needsRehash(at10))
        #expect(PasswordHasher(costLog2: 11).needsRehash(at10))
        #expect(PasswordHasher(costLog2: 12).needsRehash(at10))
        #expect(!PasswordHasher(costLog2: 12).needsRehash(at12))
        #expect(!PasswordHasher(costLog2: 11).needsRehash(at12))
        #expect(PasswordHasher().needsRehash(at12))
        #expect(PasswordHasher().costLog2 == 17)
    }
}
