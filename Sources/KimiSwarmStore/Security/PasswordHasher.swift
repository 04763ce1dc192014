import Foundation
import Crypto
import _CryptoExtras

/// Hashes and verifies passwords with scrypt, in a self-describing string that carries its
/// parameters: `scrypt$<log2N>$<r>$<p>$<salt base64>$<hash base64>`.
///
/// Hashes always use r = 8, p = 1, a 16-byte random salt and a 32-byte output; the cost
/// (N = 2^costLog2) is configurable so tests can run fast and production can raise it
/// later: ``needsRehash(_:)`` tells which stored hashes are weaker than the current cost.
/// Length policy (minimum, maximum) is the server's business, except that the empty
/// password is refused.
public struct PasswordHasher: Sendable {
    /// log2 of scrypt's N. Production default 17 (N = 131072, r = 8, p = 1: OWASP's minimum); tests use less.
    public var costLog2: Int

    /// The block size (r) of new hashes.
    static let blockSize = 8
    /// The parallelism (p) of new hashes.
    static let parallelism = 1
    static let saltByteCount = 16
    static let hashByteCount = 32
    /// Parameters accepted when verifying, so a stored string cannot make the server
    /// allocate huge memory or spin for minutes.
    static let log2NBounds = 10...20
    static let blockSizeBounds = 1...16
    static let parallelismBounds = 1...4
    /// The most memory one verification may use (scrypt's V array is 128 * r * N bytes): 1 GiB.
    static let maximumMemory = 1 << 30

    /// A hasher at `costLog2` (N = 2^costLog2); values outside 10...20, the bounds `verify`
    /// accepts, are clamped into them when hashing.
    public init(costLog2: Int = 17) {
        self.costLog2 = costLog2
    }

    /// ``costLog2`` within the bounds `verify` accepts.
    var effectiveCostLog2: Int { min(max(costLog2, Self.log2NBounds.lowerBound), Self.log2NBounds.upperBound) }

    /// "scrypt$<log2N>$<r>$<p>$<salt base64>$<hash base64>", 16-byte random salt, 32-byte hash.
    ///
    /// Throws ``StoreError`` (invalid argument) for the empty password, or when scrypt fails.
    public func hash(_ password: String) throws -> String {
        guard !password.isEmpty else { throw StoreError.invalidArgument("the password is empty") }
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<Self.saltByteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let parameters = Parameters(log2N: effectiveCostLog2, blockSize: Self.blockSize, parallelism: Self.parallelism)
        guard let derived = Self.derive(password, salt: salt, parameters: parameters, byteCount: Self.hashByteCount) else {
            throw StoreError.invalidArgument("the password could not be hashed")
        }
        return [
            "scrypt", String(parameters.log2N), String(parameters.blockSize), String(parameters.parallelism),
            Data(salt).base64EncodedString(), Data(derived).base64EncodedString(),
        ].joined(separator: "$")
    }

    /// Verifies against an encoded hash made by any cost (parameters are read from the string); constant-time comparison; false for malformed strings (never throws, never crashes on garbage).
    public func verify(_ password: String, against encoded: String) -> Bool {
        guard !password.isEmpty, let stored = Encoded(encoded),
            let derived = Self.derive(password, salt: stored.salt, parameters: stored.parameters, byteCount: stored.hash.count)
        else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(derived, stored.hash) { difference |= left ^ right }
        return difference == 0 && derived.count == stored.hash.count
    }

    /// Whether an encoded hash was made with a lower cost than this hasher's (so it should be re-hashed at the next sign-in).
    ///
    /// A malformed string also needs re-hashing (it can never verify anyway).
    public func needsRehash(_ encoded: String) -> Bool {
        guard let stored = Encoded(encoded) else { return true }
        return stored.parameters.log2N < effectiveCostLog2 || stored.parameters.blockSize < Self.blockSize
    }

    struct Parameters: Equatable {
        var log2N: Int
        var blockSize: Int
        var parallelism: Int
    }

    /// A parsed, bounds-checked encoded hash.
    struct Encoded {
        var parameters: Parameters
        var salt: [UInt8]
        var hash: [UInt8]

        init?(_ text: String) {
            guard text.utf8.count <= 512 else { return nil }
            let fields = text.split(separator: "$", omittingEmptySubsequences: false)
            guard fields.count == 6, fields[0] == "scrypt",
                let log2N = Self.smallInt(fields[1]), PasswordHasher.log2NBounds.contains(log2N),
                let blockSize = Self.smallInt(fields[2]), PasswordHasher.blockSizeBounds.contains(blockSize),
                let parallelism = Self.smallInt(fields[3]), PasswordHasher.parallelismBounds.contains(parallelism),
                (128 * blockSize) << log2N <= PasswordHasher.maximumMemory,
                let salt = Data(base64Encoded: String(fields[4])), salt.count == PasswordHasher.saltByteCount,
                let hash = Data(base64Encoded: String(fields[5])), hash.count == PasswordHasher.hashByteCount
            else { return nil }
            parameters = Parameters(log2N: log2N, blockSize: blockSize, parallelism: parallelism)
            self.salt = Array(salt)
            self.hash = Array(hash)
        }

        /// A decimal of at most two ASCII digits (no sign, no spaces).
        private static func smallInt(_ field: Substring) -> Int? {
            guard (1...2).contains(field.utf8.count), field.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            return Int(field)
        }
    }

    /// scrypt, or `nil` when it fails. The password and salt must not be empty (the
    /// underlying call needs a base address for each).
    static func derive(_ password: String, salt: [UInt8], parameters: Parameters, byteCount: Int) -> [UInt8]? {
        let passwordBytes = Array(password.utf8)
        guard !passwordBytes.isEmpty, !salt.isEmpty else { return nil }
        let n = 1 << parameters.log2N
        // scrypt needs 128 * r * (N + p + 1) bytes; a page to spare. (swift-crypto 3.12.3 does not
        // pass `maxMemory` on and uses 128 * N * r * p + a page, which suffices within the bounds.)
        let memory = 128 * parameters.blockSize * (n + parameters.parallelism + 2) + 4096
        guard
            let key = try? KDF.Scrypt.deriveKey(
                from: passwordBytes, salt: salt, outputByteCount: byteCount, rounds: n, blockSize: parameters.blockSize,
                parallelism: parameters.parallelism, maxMemory: memory)
        else { return nil }
        return key.withUnsafeBytes { Array($0) }
    }
}
