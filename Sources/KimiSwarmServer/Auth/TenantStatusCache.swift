public import KimiSwarmCore
import Foundation
public import KimiSwarmStore
import KimiSwarmPlatform
import Synchronization

/// Whether tenants are suspended, cached briefly so the hot path does not read the database
/// on every request; suspending through this server invalidates it at once.
public final class TenantStatusCache: Sendable {
    private let store: SwarmStore
    private let ttl: Duration
    private let clock: any SwarmClock
    private let entries = Mutex<[String: (suspended: Bool, at: Duration)]>([:])

    public init(store: SwarmStore, ttl: Duration = .seconds(15), clock: any SwarmClock = SystemClock()) {
        self.store = store
        self.ttl = ttl
        self.clock = clock
    }

    /// Throws 403 when the tenant is suspended.
    func ensureActive(_ tenantID: String) async throws {
        let cached = entries.withLock { $0[tenantID] }
        let suspended: Bool
        if let cached, clock.now() - cached.at < ttl {
            suspended = cached.suspended
        } else {
            suspended = try await store.directory.tenant(tenantID: tenantID)?.isSuspended ?? false
            entries.withLock { entries in
                if entries.count > 100_000 { entries.removeAll() }
                entries[tenantID] = (suspended, clock.now())
            }
        }
        if suspended {
            throw APIError.forbidden("the tenant is suspended", hint: "Ask the operator (a super admin) to lift the suspension.")
        }
    }

    /// Forgets everything (after a tenant was suspended or reinstated).
    public func invalidateAll() { entries.withLock { $0.removeAll() } }
}
