/// Why a store operation failed. Descriptions never carry data (keys, payloads, SQL values).
public struct StoreError: Error, CustomStringConvertible, Sendable {
    private enum Code: Sendable, Equatable {
        case notFound
        case conflict
        case leaseLost
        case decoding
        case database
        case invalidDatabaseURL
        case masterKeyMissing
        case masterKeyUnavailable
        case decryptionFailed
        case invalidArgument
    }

    private let code: Code
    private let detail: String
    /// The driver's error, kept for debugging; not part of ``description``.
    public let underlying: (any Error)?

    private init(_ code: Code, _ detail: String, underlying: (any Error)? = nil) {
        self.code = code
        self.detail = detail
        self.underlying = underlying
    }

    /// The row does not exist (for this tenant).
    public static func notFound(_ what: String) -> StoreError { StoreError(.notFound, "\(what) not found") }
    /// A row with that key exists already.
    public static func conflict(_ what: String) -> StoreError { StoreError(.conflict, "\(what) already exists") }
    /// The row is still used by others (a plan tenants are on); reported as a conflict.
    public static func inUse(_ what: String) -> StoreError { StoreError(.conflict, "\(what) is in use") }
    /// The job's lease was taken over (its fencing token is stale) or the job is no longer running.
    public static let leaseLost = StoreError(.leaseLost, "the job's lease is no longer held (stale fencing token)")
    /// A column could not be read.
    public static func decoding(column: String) -> StoreError { StoreError(.decoding, "cannot decode column \(column)") }
    /// The database refused a statement.
    public static func database(dialect: SQLDialect, underlying: any Error) -> StoreError {
        if let error = underlying as? StoreError { return error }
        return StoreError(.database, "\(dialect.rawValue) statement failed", underlying: underlying)
    }
    /// The database URL is not a `postgres://` URL.
    public static let invalidDatabaseURL = StoreError(.invalidDatabaseURL, "invalid database URL (want postgres://user:password@host:port/database)")
    /// Credentials need a master key and none was configured.
    public static let masterKeyMissing = StoreError(.masterKeyMissing, "no master key configured (set KIMISWARM_MASTER_KEY or KIMISWARM_MASTER_KEY_FILE)")
    /// The credential was encrypted under a key the keyring does not hold.
    public static let masterKeyUnavailable = StoreError(.masterKeyUnavailable, "the credential was encrypted under a master key that is not configured")
    /// The ciphertext did not authenticate under the key.
    public static let decryptionFailed = StoreError(.decryptionFailed, "the credential could not be decrypted (wrong key or tampered row)")
    /// An argument was out of range.
    public static func invalidArgument(_ what: String) -> StoreError { StoreError(.invalidArgument, what) }

    public var isNotFound: Bool { code == .notFound }
    public var isConflict: Bool { code == .conflict }
    public var isLeaseLost: Bool { code == .leaseLost }
    public var isMasterKeyProblem: Bool { code == .masterKeyMissing || code == .masterKeyUnavailable || code == .decryptionFailed }

    public var description: String { "store: \(detail)" }
}
