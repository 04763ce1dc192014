extension SwarmStore {
    /// Versions of the schema this build knows that the database has not applied (empty when
    /// current); throws when the database cannot be reached.
    public func pendingMigrations() async throws -> [Int] {
        let applied = Set(try await Migrator(database: database, logger: context.logger).appliedVersions())
        return Schema.migrations.map(\.version).filter { !applied.contains($0) }
    }
}
