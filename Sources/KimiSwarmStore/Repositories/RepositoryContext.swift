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

    var now: Date { clock.now() }
}

extension SQLRow {
    func role(_ name: String) throws -> Role {
        guard let role = Role(rawValue: try string(name)) else { throw StoreError.decoding(column: name) }
        return role
    }
}
