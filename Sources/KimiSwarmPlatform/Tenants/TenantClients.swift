import AsyncHTTPClient
import Foundation
public import KimiSwarmClient
public import KimiSwarmCore
public import KimiSwarmStore
public import Logging
public import Metrics
import Synchronization

/// Which client serves a tenant: tenants that stored their own provider keys
/// (`PUT /api/v1/credentials/{provider}`) get a client of their own that sends those keys
/// (same providers, base URLs and layers as the server's); the others use the server's
/// client and keys. Resolved clients are kept for a minute; changing a credential through
/// this server drops the tenant's entry at once.
public final class TenantClients: Sendable {
    private struct Entry {
        var client: LLMClient?
        var at: Duration
    }

    /// The server's client.
    public let base: LLMClient
    private let store: SwarmStore
    private let metrics: (any MetricsFactory)?
    private let logger: Logger
    private let ttl: Duration
    private let entries = Mutex<[String: Entry]>([:])
    private let clock: any SwarmClock

    public init(
        base: LLMClient, store: SwarmStore, metrics: (any MetricsFactory)?, logger: Logger, ttl: Duration = .seconds(60),
        clock: any SwarmClock = SystemClock()
    ) {
        self.clock = clock
        self.base = base
        self.store = store
        self.metrics = metrics
        self.logger = logger
        self.ttl = ttl
    }

    /// The providers a tenant may store a key for (those the server is configured with).
    public var providerIDs: [String] { base.configuration.providers.keys.map(\.rawValue).sorted() }

    /// The client for the tenant's calls.
    public func client(for tenantID: String) async throws -> LLMClient {
        if let entry = entries.withLock({ $0[tenantID] }), clock.now() - entry.at < ttl { return entry.client ?? base }
        var configuration = base.configuration
        var replaced = 0
        for info in try await store.credentials.credentials(tenantID: tenantID) where info.name == "default" {
            let id = ProviderID(info.provider)
            guard var provider = configuration.providers[id] else { continue }
            do {
                guard let secret = try await store.credentials.credential(tenantID: tenantID, provider: info.provider) else { continue }
                provider.apiKey = secret
                configuration.providers[id] = provider
                replaced += 1
            } catch let error as StoreError where error.isMasterKeyProblem {
                // Without the master key the tenant's keys cannot be opened: refuse rather than
                // silently bill the server's account.
                throw PlatformError.unavailable(
                    "the tenant's provider key cannot be decrypted on this server",
                    hint: "The operator must set the same KIMISWARM_MASTER_KEY on every replica.")
            }
        }
        let client: LLMClient? =
            replaced == 0
            ? nil
            // The server's response cache (its entries are scoped by tenant, so sharing it is safe).
            : LLMClient(configuration: configuration, registry: base.registry, logger: logger, cache: base.cache, metrics: metrics)
        entries.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[tenantID] = Entry(client: client, at: clock.now())
        }
        return client ?? base
    }

    /// Forgets the tenant's client (after its credentials changed).
    public func invalidate(tenantID: String) {
        _ = entries.withLock { $0.removeValue(forKey: tenantID) }
    }
}
