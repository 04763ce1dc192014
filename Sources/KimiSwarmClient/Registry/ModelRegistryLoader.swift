public import KimiSwarmCore
import Yams

/// Reads model registry files: the shipped one (``DefaultModelRegistry``) and a user's, which
/// overrides entries by provider and id and adds new ones.
///
/// The schema (prices in US dollars per million tokens, written as decimals and read exactly,
/// never through a binary floating-point number):
///
/// ```yaml
/// models:
///   - id: kimi-k2.6
///     provider: moonshot
///     kind: chat                # chat | embedding (default chat)
///     display_name: Kimi K2.6
///     context_window: 262144
///     max_output_tokens: 32768
///     pricing: {input: "0.60", cached_input: "0.10", cache_write: "0.60", output: "3.00"}
///     capabilities: [tools, vision, thinking, json, long_context]
///     aliases: [kimi-k2.6-preview]
///     deprecated: {successor: kimi-k3, alternatives: [kimi-k3-turbo], shutdown_date: 2026-12-31}
/// ```
public enum ModelRegistryLoader {
    /// Parses a registry file's text. Every problem is collected, and one `.configuration`
    /// error lists them all, each naming `source`, the entry (index and id), the field and the
    /// line, e.g. `models.yaml: models[3] (gpt-4o): pricing.input must be a non-negative decimal`.
    ///
    /// - Parameters:
    ///   - yaml: The file's text.
    ///   - source: The file's name, used in messages.
    public static func parse(yaml: String, source: String) throws(KimiSwarmError) -> ModelRegistry {
        var reader = YAMLReader(source: source)
        var entries: [ModelEntry] = []
        if let parsed = reader.compose(yaml), let root = parsed {
            entries = readRoot(root, reader: &reader)
        }
        try reader.problems.throwIfErrors(
            hint: "Fix the entries named above in \(source); each model needs id, provider and context_window, "
                + "and prices are decimals in US dollars per million tokens")
        return ModelRegistry(entries: entries)
    }

    /// The shipped registry, with the user's registry file (from `models_file` or
    /// `KIMI_MODELS_FILE`) applied on top when there is one.
    public static func load(userFile: ConfigFile?) throws(KimiSwarmError) -> ModelRegistry {
        let shipped = DefaultModelRegistry.load()
        guard let userFile else { return shipped }
        return shipped.merging(try parse(yaml: userFile.contents, source: userFile.path))
    }

    private static func readRoot(_ root: Node, reader: inout YAMLReader) -> [ModelEntry] {
        guard case .mapping = root else {
            if !root.isNull {
                reader.problems.error(
                    "\(reader.source): the top level must be a mapping with the key 'models', not \(root.kindDescription)"
                        + YAMLReader.lineSuffix(root))
            }
            return []
        }
        guard let top = reader.mapping(root, path: "") else { return [] }
        reader.rejectUnknownKeys(top, allowed: ["models"], path: "")
        guard let modelsNode = top.first(where: { $0.key == "models" })?.value,
            let items = reader.sequence(modelsNode, path: "models")
        else { return [] }

        var entries: [ModelEntry] = []
        var seen: [String: String] = [:]  // "provider/name" → label of the entry that has it
        for (index, item) in items.enumerated() {
            var entryReader = ModelEntryReader(index: index, node: item)
            guard let entry = entryReader.read(with: &reader) else { continue }
            for name in [entry.id] + entry.aliases {
                let key = "\(entry.provider.rawValue)/\(name.lowercased())"
                if let other = seen[key] {
                    reader.error(
                        entryReader.label, "uses the name '\(name)' for provider \(entry.provider), which \(other) already uses",
                        at: item)
                } else {
                    seen[key] = entryReader.label
                }
            }
            entries.append(entry)
        }
        return entries
    }
}
