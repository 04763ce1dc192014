import KimiSwarmCore

extension ProviderConfiguration {
    /// The model a request goes to, for circuit keys, logs and metric labels: the requested
    /// model, else the default, else `default`. Never throws: the provider itself reports a
    /// missing model.
    func modelKey(_ requested: String?, kind: String = "chat") -> String {
        if let requested, !requested.isEmpty { return requested }
        let fallback = kind == "embedding" ? defaultEmbeddingModel : defaultModel
        if let fallback, !fallback.isEmpty { return fallback }
        return "default"
    }
}
