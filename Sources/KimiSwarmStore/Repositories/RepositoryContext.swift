import Foundation
public import Logging

/// What every repository needs: the database, the clock and a logger.
public struct RepositoryContext: Sendable {
    public let database: any SQLDatabase
    public let clock: StoreClock
    public let logger: Logger

    public init(database: any SQLDatabase, clock: StoreClock, logger: Logger) {
        self.database = database
        self.clock = clock
        self.logger = logger
    }

    /// The clock's time at the store's precision (whole milliseconds), so values read back equal those written.
    var now: Date { Date(millisecondsSince1970: clock.now().millisecondsSince1970) }
}

extension SQLRow {
    func role(_ name: String) throws -> Role {
        guard let role = Role(rawValue: try string(name)) else { throw StoreError.decoding(column: name) }
        return role
    }
}
