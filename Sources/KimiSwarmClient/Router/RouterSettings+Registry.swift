public import KimiSwarmCore

extension RouterSettings {
    /// Warnings for every target whose model the registry does not know (its context window
    /// and cost are then unknown). The config loader cannot check this, because the registry
    /// is loaded after the configuration; call it once both are loaded.
    public func registryWarnings(_ registry: ModelRegistry) -> [String] {
        var warnings: [String] = []
        func check(_ target: RouteTarget, _ path: String) {
            guard registry.resolvedEntry(provider: target.provider, model: target.model) == nil else { return }
            warnings.append(
                "\(path) names '\(target)', whose model is not in the model registry; its context window and cost are unknown")
        }
        for (index, rule) in rules.enumerated() {
            if case .target(let target) = rule.destination { check(target, "router.rules[\(index)].target") }
        }
        if case .target(let target)? = defaultDestination { check(target, "router.default") }
        for name in deployments.keys.sorted() {
            for (index, deployment) in (deployments[name] ?? []).enumerated() {
                check(deployment.target, "router.deployments.\(name)[\(index)].target")
            }
        }
        for key in fallbacks.keys.sorted() {
            for (index, target) in (fallbacks[key] ?? []).enumerated() { check(target, "fallbacks.\(key)[\(index)]") }
        }
        return warnings
    }
}
