import KimiSwarmCore
import Yams

extension ConfigurationFileReader {
    /// Keys of the `router` section.
    static let routerKeys = ["rules", "default", "deployments"]
    /// Keys of one rule.
    static let ruleKeys = ["when", "target"]
    /// Keys of a rule's `when` mapping.
    static let conditionKeys = ["complexity_above", "context_above", "cost", "tag"]
    /// Keys of one weighted deployment.
    static let deploymentKeys = ["target", "weight"]

    /// Reads the `router` section into `configuration.router`. Providers must be read first.
    mutating func readRouter(_ node: Node) {
        guard let entries = reader.mapping(node, path: "router") else { return }
        reader.rejectUnknownKeys(entries, allowed: Self.routerKeys, path: "router")
        var settings = configuration.router ?? RouterSettings()
        // Deployments first, so that rules and the default may name them.
        for entry in entries where entry.key == "deployments" {
            settings.deployments = readDeployments(entry.value)
        }
        for entry in entries {
            switch entry.key {
            case "rules":
                guard let items = reader.sequence(entry.value, path: "router.rules") else { continue }
                settings.rules = items.enumerated().compactMap { index, item in
                    readRule(item, path: "router.rules[\(index)]", deployments: settings.deployments)
                }
            case "default":
                settings.defaultDestination = readDestination(entry.value, path: "router.default", deployments: settings.deployments)
            default:
                break
            }
        }
        configuration.router = settings
    }

    /// Reads the `fallbacks` section: chains keyed by provider (`azure`) or target (`azure/gpt-4o`).
    mutating func readFallbacks(_ node: Node) {
        guard let entries = reader.mapping(node, path: "fallbacks") else { return }
        var settings = configuration.router ?? RouterSettings()
        for entry in entries {
            let path = YAMLReader.join("fallbacks", entry.key)
            let key = entry.key.trimmingWhitespace
            if let target = RouteTarget(parsing: key) {
                guard checkProvider(target.provider, path: path, node: entry.keyNode) else { continue }
            } else {
                guard checkProvider(ProviderID(key), path: path, node: entry.keyNode) else { continue }
            }
            guard let items = reader.sequence(entry.value, path: path) else { continue }
            var chain: [RouteTarget] = []
            for (index, item) in items.enumerated() {
                if let target = readTarget(item, path: "\(path)[\(index)]") { chain.append(target) }
            }
            settings.fallbacks[key] = chain
        }
        configuration.router = settings
    }

    private mutating func readDeployments(_ node: Node) -> [String: [WeightedTarget]] {
        guard let entries = reader.mapping(node, path: "router.deployments") else { return [:] }
        var result: [String: [WeightedTarget]] = [:]
        for entry in entries {
            let path = YAMLReader.join("router.deployments", entry.key)
            if entry.key.contains("/") {
                reader.error(path, "is a logical model name and must not contain '/'", at: entry.keyNode)
                continue
            }
            guard let items = reader.sequence(entry.value, path: path) else { continue }
            if items.isEmpty { reader.error(path, "must list at least one deployment", at: entry.value) }
            var targets: [WeightedTarget] = []
            for (index, item) in items.enumerated() {
                let itemPath = "\(path)[\(index)]"
                guard let fields = reader.mapping(item, path: itemPath) else { continue }
                reader.rejectUnknownKeys(fields, allowed: Self.deploymentKeys, path: itemPath)
                let values = Dictionary(fields.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
                guard let targetNode = values["target"] else {
                    reader.error(itemPath, "needs 'target' (provider/model)", at: item)
                    continue
                }
                var weight = 1
                if let weightNode = values["weight"] {
                    guard
                        let parsed = reader.value(
                            weightNode, path: "\(itemPath).weight", expected: "a whole number", { SettingValue.integer($0, in: 1...1_000_000) })
                    else { continue }
                    weight = parsed
                }
                if let target = readTarget(targetNode, path: "\(itemPath).target") {
                    targets.append(WeightedTarget(target: target, weight: weight))
                }
            }
            result[entry.key] = targets
        }
        return result
    }

    private mutating func readRule(_ node: Node, path: String, deployments: [String: [WeightedTarget]]) -> RouteRule? {
        guard let fields = reader.mapping(node, path: path) else { return nil }
        reader.rejectUnknownKeys(fields, allowed: Self.ruleKeys, path: path)
        let values = Dictionary(fields.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        guard let targetNode = values["target"] else {
            reader.error(path, "needs 'target' (provider/model, or a name under router.deployments)", at: node)
            return nil
        }
        guard let whenNode = values["when"] else {
            reader.error(path, "needs 'when' (one or more of \(Self.conditionKeys.joined(separator: ", ")))", at: node)
            return nil
        }
        let conditions = readConditions(whenNode, path: "\(path).when")
        let destination = readDestination(targetNode, path: "\(path).target", deployments: deployments)
        guard let conditions, let destination else { return nil }
        return RouteRule(conditions: conditions, destination: destination)
    }

    private mutating func readConditions(_ node: Node, path: String) -> [RouteCondition]? {
        guard let entries = reader.mapping(node, path: path) else { return nil }
        reader.rejectUnknownKeys(entries, allowed: Self.conditionKeys, path: path)
        if entries.isEmpty {
            reader.error(path, "needs at least one condition (\(Self.conditionKeys.joined(separator: ", ")))", at: node)
            return nil
        }
        var conditions: [RouteCondition] = []
        var failed = false
        for entry in entries {
            let keyPath = YAMLReader.join(path, entry.key)
            let condition: RouteCondition?
            switch entry.key {
            case "complexity_above":
                condition = reader.value(entry.value, path: keyPath, expected: "a number from 0 to 1", Self.unitNumber).map {
                    .complexityAbove($0)
                }
            case "context_above":
                condition = reader.value(entry.value, path: keyPath, expected: "a whole number of tokens") {
                    SettingValue.integer($0, in: 0...1_000_000_000)
                }.map { .contextAbove($0) }
            case "cost":
                condition = reader.value(entry.value, path: keyPath, expected: "a cost preference", Self.costPreference).map {
                    .cost($0)
                }
            case "tag":
                condition = reader.nonEmptyString(entry.value, path: keyPath).map { .tag($0) }
            default:
                continue
            }
            if let condition { conditions.append(condition) } else { failed = true }
        }
        return failed ? nil : conditions
    }

    /// A `provider/model` target or a deployment name.
    private mutating func readDestination(
        _ node: Node, path: String, deployments: [String: [WeightedTarget]]
    ) -> RouteDestination? {
        guard let text = reader.nonEmptyString(node, path: path) else { return nil }
        if !text.contains("/") {
            guard deployments[text] != nil else {
                reader.error(
                    path, "'\(Quoting.inline(text))' is neither provider/model nor a name under router.deployments", at: node)
                return nil
            }
            return .deployment(text)
        }
        return readTarget(node, path: path).map { .target($0) }
    }

    /// A `provider/model` target whose provider is configured.
    private mutating func readTarget(_ node: Node, path: String) -> RouteTarget? {
        guard let text = reader.nonEmptyString(node, path: path) else { return nil }
        guard let target = RouteTarget(parsing: text) else {
            reader.error(path, "'\(Quoting.inline(text))' must be provider/model (e.g. anthropic/claude-opus-4-5)", at: node)
            return nil
        }
        guard checkProvider(target.provider, path: path, node: node) else { return nil }
        return target
    }

    private mutating func checkProvider(_ id: ProviderID, path: String, node: Node) -> Bool {
        guard configuration.providers[id] == nil else { return true }
        let known = configuration.providers.keys.sorted().map(\.rawValue)
        var text = "names the unknown provider '\(Quoting.inline(id.rawValue))' (expected one of \(known.joined(separator: ", ")))"
        if let suggestion = Spelling.closest(to: id.rawValue, in: known) { text += " (did you mean '\(suggestion)'?)" }
        reader.error(path, text, at: node)
        return false
    }

    static func unitNumber(_ text: String) -> Result<Double, SettingError> {
        guard let value = Double(text.trimmingWhitespace), value.isFinite, (0...1).contains(value) else {
            return .failure(SettingError("must be a number from 0 to 1"))
        }
        return .success(value)
    }

    static func costPreference(_ text: String) -> Result<CostPreference, SettingError> {
        guard let preference = CostPreference(rawValue: text.trimmingWhitespace.lowercased()) else {
            let allowed = CostPreference.allCases.map(\.rawValue).joined(separator: ", ")
            return .failure(SettingError("is not a cost preference (expected one of \(allowed))"))
        }
        return .success(preference)
    }
}
