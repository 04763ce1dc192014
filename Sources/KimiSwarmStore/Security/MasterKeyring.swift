import Foundation
import Crypto

/// The master keys that encrypt provider credentials at rest (AES-256-GCM).
///
/// New secrets are sealed under ``current``; ``previous`` keys only open older rows, until
/// ``CredentialRepository/rotateAllCredentials()`` re-seals them under the current key.
/// A key's id is the first 16 hex digits of its SHA-256, so nobody has to name keys.
public struct MasterKeyring: Sendable {
    /// The name of the environment variable the CLI reads the key from (base64 of 32 bytes).
    public static let environmentVariable = "KIMISWARM_MASTER_KEY"
    /// The variable naming a file that holds the key (base64 text).
    public static let fileEnvironmentVariable = "KIMISWARM_MASTER_KEY_FILE"
    /// The variable with retired keys still needed to read old rows (comma-separated base64).
    public static let previousKeysEnvironmentVariable = "KIMISWARM_PREVIOUS_MASTER_KEYS"

    struct Key: Sendable {
        let id: String
        let bytes: [UInt8]
        var key: SymmetricKey { SymmetricKey(data: bytes) }
    }

    let current: Key
    let previous: [Key]

    /// The current key's id.
    public var currentKeyID: String { current.id }

    /// A keyring from raw 32-byte keys.
    public init(current: [UInt8], previous: [[UInt8]] = []) throws {
        self.current = try Self.key(current)
        self.previous = try previous.map(Self.key)
    }

    /// A keyring from base64 text (as in the environment or a key file).
    public init(currentBase64: String, previousBase64: [String] = []) throws {
        func decode(_ text: String) throws -> [UInt8] {
            guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw StoreError.invalidArgument("the master key is not base64")
            }
            return Array(data)
        }
        try self.init(current: decode(currentBase64), previous: previousBase64.map(decode))
    }

    /// The keyring the given environment describes (the CLI passes the process environment):
    /// `KIMISWARM_MASTER_KEY`, else the file named by `KIMISWARM_MASTER_KEY_FILE`, plus
    /// `KIMISWARM_PREVIOUS_MASTER_KEYS`; `nil` when no key is configured.
    public static func fromEnvironment(_ environment: [String: String]) throws -> MasterKeyring? {
        var current = environment[environmentVariable].flatMap { $0.isEmpty ? nil : $0 }
        if current == nil, let file = environment[fileEnvironmentVariable], !file.isEmpty {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw StoreError.invalidArgument("cannot read the master key file named by \(fileEnvironmentVariable)")
            }
            current = text
        }
        guard let current else { return nil }
        let previous = (environment[previousKeysEnvironmentVariable] ?? "").split(separator: ",").map(String.init)
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        return try MasterKeyring(currentBase64: current, previousBase64: previous)
    }

    /// A new random 32-byte key, base64 (for `KIMISWARM_MASTER_KEY`).
    public static func generateBase64() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }

    private static func key(_ bytes: [UInt8]) throws -> Key {
        guard bytes.count == 32 else { throw StoreError.invalidArgument("a master key has 32 bytes") }
        let id = SHA256.hash(data: bytes).prefix(8).map { String(format: "%02x", $0) }.joined()
        return Key(id: id, bytes: bytes)
    }

    func seal(_ plaintext: String, authenticating context: String) throws -> (keyID: String, sealed: [UInt8]) {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: current.key, authenticating: Data(context.utf8))
        guard let combined = box.combined else { throw StoreError.decryptionFailed }
        return (current.id, Array(combined))
    }

    func open(_ sealed: [UInt8], keyID: String, authenticating context: String) throws -> String {
        guard let key = ([current] + previous).first(where: { $0.id == keyID }) else { throw StoreError.masterKeyUnavailable }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            let data = try AES.GCM.open(box, using: key.key, authenticating: Data(context.utf8))
            return String(decoding: data, as: UTF8.self)
        } catch {
            throw StoreError.decryptionFailed
        }
    }
}
