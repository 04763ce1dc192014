extension ModelRegistry {
    /// The entry for a model, or, for a dated snapshot id that is not registered
    /// (`gpt-4o-2024-08-06`), the entry of the longest registered id that prefixes it
    /// followed by `-` (`gpt-4o`).
    public func resolvedEntry(provider: ProviderID, model: String) -> ModelEntry? {
        if let entry = entry(provider: provider, model: model) { return entry }
        let lowered = model.lowercased()
        let candidates = entries(for: provider).filter { lowered.hasPrefix($0.id.lowercased() + "-") }
        return candidates.max { $0.id.count < $1.id.count }
    }
}
