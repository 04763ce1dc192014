/// Limits and exceptions of the `http_get` tool. Every value has a safe default.
public struct HTTPGetConfiguration: Sendable, Hashable {
    /// Exceptions to the refused address ranges: host names (`docs.example.com`,
    /// `*.example.com`), addresses (`127.0.0.1`) or CIDR ranges (`10.1.0.0/16`).
    /// See ``AddressPolicy``. Empty by default: only public addresses.
    public var allowList: [String]
    /// The most body bytes read from one response; past it the connection is closed and
    /// the result is the truncated text with a note. Default 2 MiB. A call's `max_bytes`
    /// can only lower it.
    public var maxBytes: Int
    /// The time one call may take in all, redirects included. Default 20 s.
    public var timeout: Duration
    /// The time one TCP connection may take to establish. Default 5 s.
    public var connectTimeout: Duration
    /// How many redirects are followed before the call fails. Default 5.
    public var maxRedirects: Int
    /// The `User-Agent` header sent.
    public var userAgent: String
    /// The most characters of text returned to the model; longer text is cut with a note.
    /// Default 100,000.
    public var maxTextCharacters: Int

    /// Creates a configuration.
    public init(
        allowList: [String] = [],
        maxBytes: Int = 2 * 1024 * 1024,
        timeout: Duration = .seconds(20),
        connectTimeout: Duration = .seconds(5),
        maxRedirects: Int = 5,
        userAgent: String = "KimiSwarm-http_get/1.0",
        maxTextCharacters: Int = 100_000
    ) {
        self.allowList = allowList
        self.maxBytes = maxBytes
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxRedirects = maxRedirects
        self.userAgent = userAgent
        self.maxTextCharacters = maxTextCharacters
    }
}
