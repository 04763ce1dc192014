import KimiSwarmCore
public import Logging

extension LLMClient {
    /// A router over this client's providers, configured by `configuration.router` (no rules,
    /// no default and no fallbacks when the config file has no `router:` section).
    ///
    /// Logs, once, a warning for every router target whose model the registry does not know.
    public func makeRouter(
        logger: Logger,
        randomSource: any RouterRandomSource = SystemRouterRandomSource(),
        ledger: CostLedger? = nil
    ) -> ModelRouter {
        let settings = configuration.router ?? RouterSettings()
        for warning in settings.registryWarnings(registry) { logger.warning("\(warning)") }
        return ModelRouter(settings: settings, registry: registry, logger: logger, randomSource: randomSource, ledger: ledger) {
            [self] id in try self.provider(id)
        }
    }
}
