public import KimiSwarmCore

/// What ``ConfigurationLoader/load(environment:configFile:)`` produced: the configuration and
/// the warnings to show the user. Warnings, like errors, never contain a key.
public struct LoadedConfiguration: Sendable, Hashable {
    /// The configuration: defaults, overridden by the config file, overridden by the environment.
    public var configuration: KimiSwarmConfiguration
    /// Problems that did not stop loading, one sentence each, naming the variable or key path.
    public var warnings: [String]

    /// Creates a loaded configuration.
    public init(configuration: KimiSwarmConfiguration, warnings: [String] = []) {
        self.configuration = configuration
        self.warnings = warnings
    }
}
