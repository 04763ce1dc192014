public import KimiSwarmCore
public import AsyncHTTPClient
public import Foundation
public import Logging
public import NIOCore
import NIOHTTP1

/// Fetches and caches an identity provider's JWKS, and verifies its tokens.
///
/// The key set is fetched on first use and again once ``OIDCConfiguration/cacheTTL`` has
/// passed. A token naming a `kid` that is not in the cached set causes one refetch (key
/// rotation), at most once per ``OIDCConfiguration/minimumRefetchInterval``, so a flood of
/// tokens with made-up key ids cannot hammer the provider. Concurrent callers share one fetch.
/// Fetch errors never carry the response body.
public actor OIDCKeyProvider {
    /// The largest JWKS document read, in bytes.
    public static let maximumDocumentBytes = 1024 * 1024

    /// What this provider fetches and checks.
    public nonisolated let configuration: OIDCConfiguration
    private let httpClient: HTTPClient
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let requestTimeout: TimeAmount

    private var cached: (keys: JWTKeySet, fetchedAt: Date)?
    private var waiters: [CheckedContinuation<JWTKeySet, any Error>]?

    /// A provider that fetches with `httpClient` (owned by the caller, who shuts it down).
    ///
    /// - Parameters:
    ///   - requestTimeout: the deadline of one JWKS fetch.
    ///   - now: the current time; injectable for tests.
    public init(
        configuration: OIDCConfiguration,
        httpClient: HTTPClient,
        logger: Logger,
        requestTimeout: TimeAmount = .seconds(10),
        now: @escaping @Sendable () -> Date = { SystemClock().date() }
    ) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
        self.requestTimeout = requestTimeout
        self.now = now
    }

    /// The current key set, fetched when there is none or it is older than the cache TTL.
    ///
    /// - Throws: ``JWTError/keySetUnavailable`` or ``JWTError/invalidKeySet``.
    public func keySet() async throws -> JWTKeySet {
        if let cached, now().timeIntervalSince(cached.fetchedAt) < configuration.cacheTTL {
            return cached.keys
        }
        return try await refresh()
    }

    /// A verifier over the current key set with the configured issuer, audience and leeway.
    public func verifier() async throws -> JWTVerifier {
        makeVerifier(try await keySet())
    }

    /// Verifies `token` against the provider's keys, refetching them once when the token names
    /// an unknown `kid` and the last fetch is older than the minimum refetch interval.
    ///
    /// - Throws: ``JWTError`` (see ``JWTVerifier/verify(_:)``), including
    ///   ``JWTError/keySetUnavailable`` when the keys cannot be fetched.
    public func verify(_ token: String) async throws -> JWTClaims {
        var keys = try await keySet()
        if let keyID = JWSCompact.keyID(of: token), !keys.contains(keyID: keyID), mayRefetchForUnknownKey() {
            logger.debug("unknown kid, refetching JWKS", metadata: ["jwks_host": "\(configuration.jwksURL.host ?? "")"])
            keys = try await refresh()
        }
        return try makeVerifier(keys).verify(token)
    }

    private func makeVerifier(_ keys: JWTKeySet) -> JWTVerifier {
        JWTVerifier(
            keys: keys,
            issuer: configuration.issuer,
            audience: configuration.audience,
            leeway: configuration.leeway,
            now: now
        )
    }

    private func mayRefetchForUnknownKey() -> Bool {
        guard let cached else { return true }
        return now().timeIntervalSince(cached.fetchedAt) >= configuration.minimumRefetchInterval
    }

    /// Fetches the key set; callers arriving while a fetch runs wait for its result.
    private func refresh() async throws -> JWTKeySet {
        if waiters != nil {
            return try await withCheckedThrowingContinuation { continuation in
                waiters?.append(continuation)
            }
        }
        waiters = []
        let result: Result<JWTKeySet, any Error>
        do {
            let keys = try await fetch()
            cached = (keys, now())
            result = .success(keys)
        } catch {
            result = .failure(error)
        }
        let pending = waiters ?? []
        waiters = nil
        for waiter in pending { waiter.resume(with: result) }
        return try result.get()
    }

    private func fetch() async throws -> JWTKeySet {
        var request = HTTPClientRequest(url: configuration.jwksURL.absoluteString)
        request.method = .GET
        request.headers.add(name: "accept", value: "application/jwk-set+json, application/json")
        let body: ByteBuffer
        do {
            let response = try await httpClient.execute(request, timeout: requestTimeout)
            guard response.status == .ok else {
                logger.info("JWKS fetch failed", metadata: ["status": "\(response.status.code)"])
                throw JWTError.keySetUnavailable
            }
            body = try await response.body.collect(upTo: Self.maximumDocumentBytes)
        } catch let error as JWTError {
            throw error
        } catch {
            logger.info("JWKS fetch failed", metadata: ["error": "\(type(of: error))"])
            throw JWTError.keySetUnavailable
        }
        do {
            return try JWTKeySet(jwksJSON: Data(body.readableBytesView))
        } catch {
            logger.info("JWKS document unreadable")
            throw JWTError.invalidKeySet
        }
    }
}
