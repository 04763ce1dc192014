public import Foundation

/// A budget shared beyond one run, such as a tenant's monthly quota: every model call of a
/// run reserves its maximum here as well as in the run's own ``BudgetLedger``, so that runs
/// in parallel cannot overshoot it together. What a call really cost is counted by whoever
/// records usage; ``finish(_:)`` only drops the reservation once that is done.
public protocol SharedBudget: Sendable {
    /// Reserves a call's maximum cost and tokens. Throws when nothing is left (the run then
    /// stops and synthesises what it has), unless `force`: the synthesis's share, set aside
    /// when the run started, is only swapped for its real maximum.
    func reserve(costUSD: Decimal, tokens: Int, force: Bool) async throws(BudgetLedger.LimitReached) -> SharedBudgetReservation

    /// Drops a reservation: the call ended (its cost is already recorded) or never ran.
    func finish(_ reservation: SharedBudgetReservation)
}

/// A call's share of a ``SharedBudget``.
public struct SharedBudgetReservation: Sendable, Hashable {
    /// Tells reservations apart.
    public var id: UInt64
    /// Reserved cost, in US dollars.
    public var costUSD: Decimal
    /// Reserved tokens (input plus output).
    public var tokens: Int

    public init(id: UInt64, costUSD: Decimal, tokens: Int) {
        self.id = id
        self.costUSD = costUSD
        self.tokens = tokens
    }
}
