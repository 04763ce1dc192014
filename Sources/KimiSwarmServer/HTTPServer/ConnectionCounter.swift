import Synchronization

/// The number of open connections, against a cap; shared by every connection of a server.
final class ConnectionCounter: Sendable {
    let limit: Int
    private let open = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Counts a new connection and returns `true`, or returns `false` when the cap is reached
    /// (the connection is then not counted).
    func tryOpen() -> Bool {
        var current = open.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = open.compareExchange(expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// A counted connection closed.
    func closed() {
        open.subtract(1, ordering: .relaxed)
    }

    /// Connections open now.
    var count: Int { open.load(ordering: .relaxed) }
}
