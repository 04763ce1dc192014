public import KimiSwarmCore
import KimiSwarmPlatform

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The limits every HTTP connection of the server lives under, enforced by
/// ``GuardedHTTPChannel``: how long a request may take to arrive, how long a connection may
/// sit idle, how many connections are open at once.
public struct HTTPConnectionLimits: Sendable, Hashable {
    /// How long a request may take to arrive complete, head and body, from its first byte
    /// (`server.request_timeout`). A slower one is answered 408 and closed.
    public var requestTimeout: Duration
    /// How long a connection may stay open with no request on it (`server.idle_timeout`):
    /// before its first byte, and between a response and the next request; also how long a
    /// request that has begun to arrive may stay silent (then 408).
    public var idleTimeout: Duration
    /// Connections open at once (`server.max_connections`); one more is answered 503 and
    /// closed at once, without touching the others.
    public var maxConnections: Int
    /// How long a connection that was answered with an error (400, 408, 431, ...) is still
    /// read from, and its bytes dropped, so that the client gets the answer rather than a
    /// reset; it is closed as soon as the client closes its side.
    public var lingerTimeout: Duration
    /// The longest header field, and request line, the HTTP decoder accepts (Hummingbird's
    /// default, 80 KiB): past it, 414 for a request line, 431 for headers.
    public var maxHeaderFieldSize: Int

    /// Creates limits; every value has a default.
    public init(
        requestTimeout: Duration = .seconds(30), idleTimeout: Duration = .seconds(60), maxConnections: Int = Self.defaultMaxConnections(),
        lingerTimeout: Duration = .seconds(2), maxHeaderFieldSize: Int = 80 * 1024
    ) {
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.lingerTimeout = lingerTimeout
        self.maxHeaderFieldSize = maxHeaderFieldSize
    }

    /// Descriptors kept for everything that is not an inbound connection: the database, the
    /// connections to providers, log and cache files.
    static let reservedDescriptors = 256

    /// The default connection cap, from the process's open-file limit: half of what is left
    /// after ``reservedDescriptors`` (a proxied gateway call holds a second descriptor, to the
    /// provider), at least 64 and at most 10,000. With the common `ulimit -n` of 1,024 that is
    /// 384; with 65,536 or more, 10,000.
    public static func defaultMaxConnections(openFileLimit: Int? = Self.openFileLimit()) -> Int {
        guard let openFileLimit else { return 10_000 }
        return min(10_000, max(64, (openFileLimit - reservedDescriptors) / 2))
    }

    /// The soft `RLIMIT_NOFILE` of this process, or `nil` when there is none.
    public static func openFileLimit() -> Int? {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0 else { return nil }
        let value = Int(clamping: limit.rlim_cur)
        return value == Int.max ? nil : value  // RLIM_INFINITY
    }
}

extension HTTPConnectionLimits {
    /// The limits of the server's settings (`server.request_timeout`, `server.idle_timeout`,
    /// `server.max_connections`).
    public init(_ settings: ServerSettings) {
        self.init(
            requestTimeout: settings.requestTimeout, idleTimeout: settings.idleTimeout,
            maxConnections: settings.maxConnections ?? Self.defaultMaxConnections())
    }
}
