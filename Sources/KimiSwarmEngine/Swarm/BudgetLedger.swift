public import Foundation
public import KimiSwarmCore
import Synchronization

/// The run's budget, reserved before each call and settled after it, so parallel sub-agents
/// cannot overshoot together: a call starts only if spent + reserved + its own maximum fits.
///
/// Once any limit is reached the ledger is *stopped*: every later reservation fails with the
/// limit's name, except the one held back for the synthesis at the start of the run.
///
/// With a ``SharedBudget`` (a tenant's quota), every reservation is also made there; when the
/// shared budget has nothing left, the run stops as if its own limit were reached.
public final class BudgetLedger: Sendable {
    /// A call's reserved share of the budget.
    public struct Reservation: Sendable, Hashable {
        let id: Int
        /// Reserved cost.
        public let costUSD: Decimal
        /// Reserved tokens.
        public let tokens: Int
        /// The same call's share of the shared budget, if there is one.
        var shared: SharedBudgetReservation? = nil
    }

    /// Why work stops.
    public struct LimitReached: Error, Sendable, Hashable, CustomStringConvertible {
        /// `max_cost_usd`, `max_tokens`, `max_tool_calls`, `max_sub_agents`, `max_wall_time` or `cancelled`.
        public var limit: String
        /// A sentence for people.
        public var message: String
        public var description: String { message }

        /// A reason; `limit` names it (for a shared budget, the quota's name).
        public init(limit: String, message: String) {
            self.limit = limit
            self.message = message
        }
    }

    private struct State {
        var spentCost: Decimal = 0
        var spentUsage = Usage.zero
        var reservedCost: Decimal = 0
        var reservedTokens = 0
        var reservations: [Int: Reservation] = [:]
        var nextID = 1
        var llmCalls = 0
        var toolCalls = 0
        var agents = 0
        var stopped: LimitReached?
        var warned: Set<String> = []
    }

    /// The limits.
    public let limits: RunLimits
    /// The budget beyond the run every call also reserves in (a tenant's quota), if any.
    public let shared: (any SharedBudget)?
    private let state = Mutex(State())
    private let onWarning: @Sendable (_ limit: String, _ used: String, _ maximum: String) -> Void

    /// Creates a ledger; `onWarning` is told once per limit when 80 % of it is used.
    public init(
        limits: RunLimits, shared: (any SharedBudget)? = nil, onWarning: @escaping @Sendable (String, String, String) -> Void = { _, _, _ in }
    ) {
        self.limits = limits
        self.shared = shared
        self.onWarning = onWarning
    }

    /// Reserves the maximum cost and tokens of one model call, in the run's budget and then in
    /// the shared one; `force` skips the stopped check and the limits (used for the synthesis,
    /// whose share was set aside at the start).
    public func reserveCall(costUSD: Decimal, tokens: Int, force: Bool = false) async throws(LimitReached) -> Reservation {
        var reservation = try reserveLocally(costUSD: costUSD, tokens: tokens, force: force)
        guard let shared else { return reservation }
        do {
            reservation.shared = try await shared.reserve(costUSD: costUSD, tokens: tokens, force: force)
        } catch {
            release(reservation)
            stop(error)
            throw error
        }
        return reservation
    }

    private func reserveLocally(costUSD: Decimal, tokens: Int, force: Bool) throws(LimitReached) -> Reservation {
        do {
            return try reserve(costUSD: costUSD, tokens: tokens, force: force)
        } catch {
            // The first refusal of a budget is worth a warning: work stops from here.
            if error.limit == "max_cost_usd", let maximum = limits.maxCostUSD {
                warnOnce(error.limit, used: "$\(totals.costUSD.rounded(6)) spent + $\(totals.reservedCostUSD.rounded(6)) reserved", maximum: "$\(maximum)")
            } else if error.limit == "max_tokens", let maximum = limits.maxTokens {
                warnOnce(error.limit, used: "\(totals.usage.totalTokens)", maximum: "\(maximum)")
            }
            throw error
        }
    }

    private func warnOnce(_ limit: String, used: String, maximum: String) {
        let first = state.withLock { $0.warned.insert(limit).inserted }
        if first { onWarning(limit, used, maximum) }
    }

    private func reserve(costUSD: Decimal, tokens: Int, force: Bool) throws(LimitReached) -> Reservation {
        try state.withLock { state throws(LimitReached) in
            if !force {
                if let stopped = state.stopped { throw stopped }
                if let maximum = limits.maxCostUSD, state.spentCost + state.reservedCost + costUSD > maximum {
                    let reached = LimitReached(
                        limit: "max_cost_usd",
                        message: "the cost budget of $\(maximum) is reached (spent $\(state.spentCost.rounded(6)), reserved $\(state.reservedCost.rounded(6)))")
                    state.stopped = reached
                    throw reached
                }
                if let maximum = limits.maxTokens, state.spentUsage.totalTokens + state.reservedTokens + tokens > maximum {
                    let reached = LimitReached(
                        limit: "max_tokens",
                        message: "the token budget of \(maximum) is reached (used \(state.spentUsage.totalTokens), reserved \(state.reservedTokens))")
                    state.stopped = reached
                    throw reached
                }
            }
            let reservation = Reservation(id: state.nextID, costUSD: costUSD, tokens: tokens)
            state.nextID += 1
            state.reservations[reservation.id] = reservation
            state.reservedCost += costUSD
            state.reservedTokens += tokens
            return reservation
        }
    }

    /// Replaces a reservation by what the call really cost (recorded in the shared budget's
    /// ledger already, by the journal).
    public func settle(_ reservation: Reservation, usage: Usage, costUSD: Decimal) {
        if let share = reservation.shared { shared?.finish(share) }
        let warnings = state.withLock { state -> [(String, String, String)] in
            if state.reservations.removeValue(forKey: reservation.id) != nil {
                state.reservedCost -= reservation.costUSD
                state.reservedTokens -= reservation.tokens
            }
            state.spentCost += costUSD
            state.spentUsage += usage
            state.llmCalls += 1
            return Self.warnings(&state, limits: limits)
        }
        for warning in warnings { onWarning(warning.0, warning.1, warning.2) }
    }

    /// Gives a reservation back unused (the call failed before it was billed).
    public func release(_ reservation: Reservation) {
        if let share = reservation.shared { shared?.finish(share) }
        state.withLock { state in
            guard state.reservations.removeValue(forKey: reservation.id) != nil else { return }
            state.reservedCost -= reservation.costUSD
            state.reservedTokens -= reservation.tokens
        }
    }

    /// Counts a step replayed from the journal: its cost was paid by an earlier execution and
    /// is counted here exactly once.
    public func addReplayed(usage: Usage, costUSD: Decimal, kind: JournalEntry.Kind) {
        state.withLock { state in
            state.spentCost += costUSD
            state.spentUsage += usage
            if kind == .tool { state.toolCalls += 1 }
            if kind == .llm { state.llmCalls += 1 }
        }
    }

    /// Takes one tool call from the budget.
    public func reserveToolCall() throws(LimitReached) {
        try state.withLock { state throws(LimitReached) in
            if let stopped = state.stopped { throw stopped }
            guard state.toolCalls < limits.maxToolCalls else {
                let reached = LimitReached(limit: "max_tool_calls", message: "the run's \(limits.maxToolCalls) tool calls are used up")
                state.stopped = reached
                throw reached
            }
            state.toolCalls += 1
        }
    }

    /// Takes one sub-agent from the budget.
    public func reserveAgent() throws(LimitReached) {
        try state.withLock { state throws(LimitReached) in
            if let stopped = state.stopped { throw stopped }
            guard state.agents < limits.maxSubAgents else {
                throw LimitReached(limit: "max_sub_agents", message: "the run's \(limits.maxSubAgents) sub-agents are used up")
            }
            state.agents += 1
        }
    }

    /// Stops new work (a wall-time limit or a failure).
    public func stop(_ reason: LimitReached) {
        state.withLock { state in
            if state.stopped == nil { state.stopped = reason }
        }
    }

    /// Why work stopped, if it did.
    public var stopped: LimitReached? { state.withLock { $0.stopped } }

    /// Totals so far.
    public var totals: (usage: Usage, costUSD: Decimal, llmCalls: Int, toolCalls: Int, reservedCostUSD: Decimal) {
        state.withLock { ($0.spentUsage, $0.spentCost, $0.llmCalls, $0.toolCalls, $0.reservedCost) }
    }

    private static func warnings(_ state: inout State, limits: RunLimits) -> [(String, String, String)] {
        var result: [(String, String, String)] = []
        if let maximum = limits.maxCostUSD, state.spentCost * 5 >= maximum * 4, state.warned.insert("max_cost_usd").inserted {
            result.append(("max_cost_usd", "$\(state.spentCost.rounded(6))", "$\(maximum)"))
        }
        if let maximum = limits.maxTokens, state.spentUsage.totalTokens * 5 >= maximum * 4, state.warned.insert("max_tokens").inserted {
            result.append(("max_tokens", "\(state.spentUsage.totalTokens)", "\(maximum)"))
        }
        return result
    }
}

extension Decimal {
    /// Rounded to `scale` decimal places (for messages).
    func rounded(_ scale: Int) -> Decimal {
        var value = self
        var result = Decimal()
        NSDecimalRound(&result, &value, scale, .plain)
        return result
    }
}
