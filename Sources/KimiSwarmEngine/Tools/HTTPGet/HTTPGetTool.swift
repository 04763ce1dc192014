public import KimiSwarmCore
public import NIOCore
import NIOHTTP1
public import NIOPosix

/// `http_get`: fetches an `http`/`https` URL and returns its text, refusing anything that
/// is not a public address (SSRF protection).
///
/// For every hop (the URL and each redirect) the host is parsed the way a browser would,
/// a name is resolved once with the ``HostResolver``, and every resolved address is checked
/// with ``AddressPolicy``: if any one is refused the hop is refused (a name that resolves
/// to a mix of public and private addresses is treated as hostile). The connection then
/// goes to a checked address, never to the name again, so DNS rebinding cannot slip a
/// refused address in. Redirects are followed by hand; credentials from the URL are sent
/// only to the origin they were given for, and https → http redirects are refused.
/// The whole call, redirects included, is bounded by ``HTTPGetConfiguration/timeout``;
/// cancelling the calling task closes the connection.
public struct HTTPGetTool: Tool {
    public let name = "http_get"
    public let description =
        "Fetches a public web page or document over http(s) and returns it as text: HTML is reduced to readable text with its title; plain text, JSON, XML and Markdown are returned as they are. The first line gives the final URL and the HTTP status. Private, local and cloud-metadata addresses are refused, binary content (images, PDF) is not returned, and long bodies are truncated (pass `max_bytes` to read less)."
    public let parameters: JSONValue = [
        "type": "object",
        "properties": [
            "url": ["type": "string", "description": "The absolute http:// or https:// URL to fetch."],
            "max_bytes": [
                "type": "integer", "minimum": 1,
                "description": "Read at most this many bytes of the body (cannot exceed the configured limit).",
            ],
        ],
        "required": ["url"],
        "additionalProperties": false,
    ]

    /// The limits and allow-list in force.
    public let configuration: HTTPGetConfiguration
    private let policy: AddressPolicy
    private let resolver: any HostResolver
    private let eventLoopGroup: any EventLoopGroup
    /// What the fetch's deadline is measured on.
    private let clock: any SwarmClock

    /// Creates the tool; tests inject a resolver and keep the default event loop group.
    public init(
        configuration: HTTPGetConfiguration = .init(),
        resolver: any HostResolver = SystemHostResolver(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        clock: any SwarmClock = SystemClock()
    ) {
        self.clock = clock
        self.configuration = configuration
        self.policy = AddressPolicy(allowList: configuration.allowList)
        self.resolver = resolver
        self.eventLoopGroup = eventLoopGroup
    }

    public func execute(_ arguments: JSONValue, context: ToolContext) async throws -> String {
        guard let text = arguments["url"]?.stringValue, !text.isEmpty else {
            throw ToolError("http_get needs a \"url\" string argument, e.g. {\"url\": \"https://example.com/\"}")
        }
        var byteLimit = max(1, configuration.maxBytes)
        if let requested = arguments["max_bytes"], !requested.isNull {
            guard let value = requested.intValue, value > 0 else {
                throw ToolError("\"max_bytes\" must be a positive integer")
            }
            byteLimit = min(value, byteLimit)
        }
        let url = try HTTPGetURL(parsing: text)
        let deadline = clock.now() + configuration.timeout
        let limit = byteLimit
        let outcome = try await withTimeout(url: url) {
            try await follow(url, byteLimit: limit, deadline: deadline)
        }
        return try HTTPGetContent.render(
            HTTPGetContent.Input(
                requested: url, final: outcome.url, redirects: outcome.redirects, response: outcome.response,
                byteLimit: byteLimit, maxTextCharacters: configuration.maxTextCharacters
            )
        )
    }

    private struct Outcome: Sendable {
        var url: HTTPGetURL
        var response: HTTPGetResponse
        var redirects: Int
    }

    /// Runs `operation`, and when the fetch's time is up first cancels it (closing its connection).
    private func withTimeout(
        url: HTTPGetURL,
        _ operation: @escaping @Sendable () async throws -> Outcome
    ) async throws -> Outcome {
        let limit = Self.seconds(configuration.timeout)
        return try await KimiSwarmCore.withTimeout(
            configuration.timeout, clock: clock,
            timeoutError: {
                ToolError(
                    "timed out: fetching \(url.redacted) took longer than \(limit) (redirects included); the server is too slow or not answering"
                )
            }, operation: operation)
    }

    /// Fetches `url`, following redirects by hand.
    private func follow(_ start: HTTPGetURL, byteLimit: Int, deadline: Duration) async throws -> Outcome
    {
        var current = start
        var previous: HTTPGetURL?
        var redirects = 0
        while true {
            let response: HTTPGetResponse
            do {
                response = try await fetch(current, byteLimit: byteLimit, deadline: deadline)
            } catch let error as ToolError {
                guard let previous else { throw error }
                throw ToolError(
                    "\(previous.redacted) redirected to \(current.redacted), which was not fetched: \(error.message)")
            }
            guard HTTPGetRedirect.statusCodes.contains(response.status.code) else {
                return Outcome(url: current, response: response, redirects: redirects)
            }
            guard let location = response.headers.first(name: "location"), !location.isEmpty else {
                throw ToolError("HTTP \(response.status.code) redirect from \(current.redacted) has no Location header")
            }
            guard redirects < configuration.maxRedirects else {
                throw ToolError(
                    "too many redirects: \(start.redacted) redirected more than \(configuration.maxRedirects) times (last at \(current.redacted))"
                )
            }
            let next = try HTTPGetRedirect.next(from: current, location: location)
            redirects += 1
            previous = current
            current = next
        }
    }

    /// One hop: check the host, resolve a name once, check every address, connect to a checked one.
    private func fetch(_ url: HTTPGetURL, byteLimit: Int, deadline: Duration) async throws
        -> HTTPGetResponse
    {
        let addresses: [IPAddress]
        switch url.host {
        case .address(let address):
            if case .refused(let reason) = policy.check(address: address) { throw ToolError(reason) }
            addresses = [address]
        case .name(let name):
            if case .refused(let reason) = policy.check(name: name) { throw ToolError(reason) }
            let resolved: [IPAddress]
            do {
                resolved = try await resolver.resolve(host: name, port: url.port)
            } catch let error as ToolError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                throw ToolError("could not resolve \(name): \(error)")
            }
            guard !resolved.isEmpty else { throw ToolError("could not resolve \(name): no addresses") }
            for address in resolved {
                if case .refused(let reason) = policy.check(address: address, resolvedFrom: name) {
                    throw ToolError(reason)
                }
            }
            addresses = resolved
        }
        var failures: [String] = []
        for address in addresses {
            let remaining = deadline - clock.now()
            let connection = HTTPGetConnection(
                url: url, address: address, connectTimeout: min(configuration.connectTimeout, remaining),
                maxBytes: byteLimit, userAgent: configuration.userAgent, group: eventLoopGroup
            )
            do {
                return try await connection.fetch()
            } catch let failure as HTTPGetConnectFailure {
                failures.append(failure.message)
            } catch let error as ToolError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                throw ToolError("fetching \(url.redacted) failed: \(error)")
            }
        }
        throw ToolError("could not fetch \(url.redacted): \(failures.joined(separator: "; "))")
    }

    static func seconds(_ duration: Duration) -> String {
        let value = Double(HTTPGetConnection.nanoseconds(duration)) / 1e9
        return value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}
