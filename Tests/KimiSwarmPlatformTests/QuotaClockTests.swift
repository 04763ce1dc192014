import Foundation
import KimiSwarmCore
import KimiSwarmStore
import KimiSwarmTesting
import Logging
import Testing

@testable import KimiSwarmPlatform

/// Quotas on a manual clock: rate buckets refill and periods renew when the clock says so,
/// with no real waiting (a service test: no HTTP).
@Suite("Quotas on the platform's clock")
struct QuotaClockTests {
    static func withStore<T: Sendable>(clock: ManualClock, _ body: @escaping @Sendable (SwarmStore) async throws -> T) async throws -> T {
        try await withFreshSQLite { location in
            try await SwarmStore.withStore(StoreConfiguration(location: location, clock: StoreClock(clock)), logger: serverTestLogger, body)
        }
    }

    @Test("a tenant's requests per minute: refused past the limit, granted again once the clock moved a minute")
    func rateRefillsOnTheClock() async throws {
        let clock = ManualClock()
        try await Self.withStore(clock: clock) { store in
            let tenant = try await store.directory.createTenant(name: "acme")
            var limits = QuotaLimits()
            limits.requestsPerMinute = 3
            try await store.quotas.setQuota(tenantID: tenant.id, limits: limits)
            let quotas = QuotaEnforcer(store: store, clock: clock)
            let principal = Principal(tenantID: tenant.id, role: .developer, method: .apiKey)
            for _ in 0..<3 { try await quotas.admit(principal, budgets: false) }
            await #expect(throws: PlatformError.self) { try await quotas.admit(principal, budgets: false) }
            do {
                try await quotas.admit(principal, budgets: false)
            } catch let refusal as PlatformError {
                // One request comes back every 20 s: the wait is what the clock says, not a guess.
                #expect(refusal.kind == .limited(retryAfter: 20))
            }
            clock.advance(by: .seconds(20))
            try await quotas.admit(principal, budgets: false)
            await #expect(throws: PlatformError.self) { try await quotas.admit(principal, budgets: false) }
            clock.advance(by: .seconds(60))
            for _ in 0..<3 { try await quotas.admit(principal, budgets: false) }
        }
    }
}
