public import Foundation

/// Models, their windows, prices, capabilities and deprecations: data, not code.
///
/// The client loads the shipped registry file and lets a user's file override and extend it.
/// A model that is not in the registry is still usable; its cost is unknown.
public struct ModelRegistry: Sendable, Hashable {
    /// All entries, in file order.
    public private(set) var entries: [ModelEntry]
    private var index: [Key: Int]

    private struct Key: Hashable {
        var provider: ProviderID
        var model: String
    }

    /// Creates a registry. A later entry for the same provider and id replaces an earlier one.
    public init(entries: [ModelEntry]) {
        self.entries = []
        self.index = [:]
        for entry in entries { upsert(entry) }
    }

    /// An empty registry.
    public static let empty = ModelRegistry(entries: [])

    /// Adds an entry, replacing one with the same provider and id.
    public mutating func upsert(_ entry: ModelEntry) {
        let key = Key(provider: entry.provider, model: entry.id.lowercased())
        if let position = index[key] {
            entries[position] = entry
        } else {
            index[key] = entries.count
            entries.append(entry)
        }
        for alias in entry.aliases {
            index[Key(provider: entry.provider, model: alias.lowercased())] = index[key]
        }
    }

    /// This registry with `overrides` applied on top.
    public func merging(_ overrides: ModelRegistry) -> ModelRegistry {
        var merged = self
        for entry in overrides.entries { merged.upsert(entry) }
        return merged
    }

    /// The entry for a model of a provider (ids and aliases, case-insensitive).
    public func entry(provider: ProviderID, model: String) -> ModelEntry? {
        index[Key(provider: provider, model: model.lowercased())].map { entries[$0] }
    }

    /// The entries of one provider.
    public func entries(for provider: ProviderID) -> [ModelEntry] {
        entries.filter { $0.provider == provider }
    }

    /// The exact cost of a call, or `nil` when the model or its prices are unknown.
    public func cost(provider: ProviderID, model: String, usage: Usage) -> Decimal? {
        entry(provider: provider, model: model)?.pricing?.cost(of: usage)
    }
}
