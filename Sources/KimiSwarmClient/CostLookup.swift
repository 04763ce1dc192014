public import Foundation
public import KimiSwarmCore

/// Prices calls from the model registry, exactly.
///
/// Providers often answer with a dated snapshot id (`gpt-4o-2024-08-06`); when the exact id
/// is unknown, the longest registered id that prefixes it (followed by `-`) is used.
public struct CostLookup: Sendable {
    /// The registry prices come from.
    public let registry: ModelRegistry

    /// Creates a lookup over `registry`.
    public init(registry: ModelRegistry) {
        self.registry = registry
    }

    /// The registry entry for a model, by exact id or alias, else by the longest prefix.
    public func entry(provider: ProviderID, model: String) -> ModelEntry? {
        if let entry = registry.entry(provider: provider, model: model) { return entry }
        let lowered = model.lowercased()
        return registry.entries(for: provider)
            .filter { lowered.hasPrefix($0.id.lowercased() + "-") }
            .max { $0.id.count < $1.id.count }
    }

    /// The exact cost in US dollars, or `nil` when the model or its prices are unknown.
    public func cost(provider: ProviderID, model: String, usage: Usage) -> Decimal? {
        entry(provider: provider, model: model)?.pricing?.cost(of: usage)
    }
}
