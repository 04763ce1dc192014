import Foundation
import KimiSwarmCore
import Yams

/// Reads one entry of a registry file's `models` list. Problems name the entry as
/// `models[3] (gpt-4o)` and the field, and go to the shared ``YAMLReader``.
struct ModelEntryReader {
    static let fields = [
        "id", "provider", "kind", "display_name", "context_window", "max_output_tokens",
        "pricing", "capabilities", "aliases", "deprecated",
    ]
    static let pricingFields = ["input", "cached_input", "cache_write", "output"]
    static let deprecationFields = ["successor", "alternatives", "shutdown_date"]

    let index: Int
    let node: Node
    /// `models[3]`, or `models[3] (gpt-4o)` once the id is known.
    private(set) var label: String

    init(index: Int, node: Node) {
        self.index = index
        self.node = node
        self.label = "models[\(index)]"
    }

    /// The entry, or `nil` after recording why it cannot be built.
    mutating func read(with reader: inout YAMLReader) -> ModelEntry? {
        guard case .mapping = node else {
            reader.error(label, "must be a mapping with id, provider and context_window, not \(node.kindDescription)", at: node)
            return nil
        }
        guard let entries = reader.mapping(node, path: label) else { return nil }
        let values = Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })

        var id: String?
        if let idNode = values["id"], let text = reader.nonEmptyString(idNode, path: "\(label): id") {
            id = text
            label = "models[\(index)] (\(Quoting.inline(text)))"
        }
        reader.rejectUnknownKeys(entries, allowed: Self.fields, path: "\(label):")
        let errorsBefore = reader.problems.errors.count

        let provider = values["provider"].flatMap { readProvider($0, reader: &reader) }
        let kind =
            values["kind"].flatMap {
                reader.value($0, path: field("kind"), expected: "chat or embedding") { text in
                    ModelEntry.Kind(rawValue: text.trimmingWhitespace.lowercased()).map { .success($0) }
                        ?? .failure(SettingError("is not a model kind (expected chat or embedding)"))
                }
            } ?? .chat
        let contextWindow = values["context_window"].flatMap {
            reader.value($0, path: field("context_window"), expected: "a number of tokens") { SettingValue.integer($0, in: 1...1_000_000_000) }
        }
        let maxOutput = values["max_output_tokens"].flatMap {
            reader.value($0, path: field("max_output_tokens"), expected: "a number of tokens") { SettingValue.integer($0, in: 1...1_000_000_000) }
        }
        if let contextWindow, let maxOutput, maxOutput > contextWindow {
            reader.error(field("max_output_tokens"), "(\(maxOutput)) must not exceed context_window (\(contextWindow))", at: values["max_output_tokens"])
        }
        let displayName = values["display_name"].flatMap { reader.nonEmptyString($0, path: field("display_name")) }
        let pricing = values["pricing"].flatMap { readPricing($0, kind: kind, reader: &reader) }
        let capabilities = values["capabilities"].flatMap { readCapabilities($0, reader: &reader) } ?? []
        let aliases = values["aliases"].flatMap { reader.strings($0, path: field("aliases")) } ?? []
        let deprecation = values["deprecated"].flatMap { readDeprecation($0, reader: &reader) }

        for required in ["id", "provider", "context_window"] where values[required] == nil {
            reader.error(label, "is missing the required field '\(required)'", at: node)
        }
        guard reader.problems.errors.count == errorsBefore, let id, let provider, let contextWindow else { return nil }
        return ModelEntry(
            id: id, provider: provider, kind: kind, displayName: displayName, contextWindow: contextWindow,
            maxOutputTokens: maxOutput, pricing: pricing, capabilities: capabilities, deprecation: deprecation,
            aliases: aliases)
    }

    /// `models[3] (gpt-4o): pricing.input`.
    private func field(_ path: String) -> String { "\(label): \(path)" }

    private func readProvider(_ node: Node, reader: inout YAMLReader) -> ProviderID? {
        guard let name = reader.nonEmptyString(node, path: field("provider")) else { return nil }
        guard ConfigurationFileReader.isValidProviderName(name) else {
            reader.error(field("provider"), "'\(Quoting.inline(name))' is not a valid provider name (use lowercase letters, digits, '-', '_' and '.')", at: node)
            return nil
        }
        return ProviderID(name)
    }

    private func readPricing(_ node: Node, kind: ModelEntry.Kind, reader: inout YAMLReader) -> ModelPricing? {
        guard let entries = reader.mapping(node, path: field("pricing")) else { return nil }
        reader.rejectUnknownKeys(entries, allowed: Self.pricingFields, path: field("pricing"))
        var prices: [String: Decimal] = [:]
        for entry in entries where Self.pricingFields.contains(entry.key) {
            let path = field("pricing.\(entry.key)")
            guard case .scalar(let scalar) = entry.value, !entry.value.isNull, let price = Self.decimal(scalar.string) else {
                var text = "must be a non-negative decimal in US dollars per million tokens, such as \"0.60\""
                if case .scalar(let scalar) = entry.value, !entry.value.isNull { text += ", not '\(Quoting.inline(scalar.string))'" }
                reader.error(path, text, at: entry.value)
                continue
            }
            prices[entry.key] = price
        }
        guard let input = prices["input"] else {
            if entries.first(where: { $0.key == "input" }) == nil {
                reader.error(field("pricing"), "needs 'input' (US dollars per million input tokens)", at: node)
            }
            return nil
        }
        var output = prices["output"]
        if output == nil, kind == .embedding, entries.first(where: { $0.key == "output" }) == nil {
            output = 0  // Embedding models bill input only.
        }
        guard let output else {
            if entries.first(where: { $0.key == "output" }) == nil {
                reader.error(field("pricing"), "needs 'output' (US dollars per million output tokens)", at: node)
            }
            return nil
        }
        return ModelPricing(
            inputPerMillion: input, cachedInputPerMillion: prices["cached_input"],
            cacheWritePerMillion: prices["cache_write"], outputPerMillion: output)
    }

    private func readCapabilities(_ node: Node, reader: inout YAMLReader) -> Set<ModelCapability>? {
        guard let names = reader.strings(node, path: field("capabilities")) else { return nil }
        var capabilities: Set<ModelCapability> = []
        let allowed = ModelCapability.allCases.map(\.rawValue)
        for name in names {
            if let capability = ModelCapability(rawValue: name.lowercased()) {
                capabilities.insert(capability)
            } else {
                var text = "has the unknown capability '\(Quoting.inline(name))'; allowed: \(allowed.joined(separator: ", "))"
                if let suggestion = Spelling.closest(to: name, in: allowed) { text += " (did you mean '\(suggestion)'?)" }
                reader.error(field("capabilities"), text, at: node)
            }
        }
        return capabilities
    }

    private func readDeprecation(_ node: Node, reader: inout YAMLReader) -> ModelDeprecation? {
        if case .scalar = node {
            // `deprecated: true` marks a model deprecated without naming a replacement.
            return reader.value(node, path: field("deprecated"), expected: "a mapping or true") { SettingValue.bool($0) }
                .flatMap { $0 ? ModelDeprecation() : nil }
        }
        guard let entries = reader.mapping(node, path: field("deprecated")) else { return nil }
        reader.rejectUnknownKeys(entries, allowed: Self.deprecationFields, path: field("deprecated"))
        var deprecation = ModelDeprecation()
        for entry in entries {
            let path = field("deprecated.\(entry.key)")
            switch entry.key {
            case "successor":
                deprecation.successor = reader.nonEmptyString(entry.value, path: path)
            case "alternatives":
                deprecation.alternatives = reader.strings(entry.value, path: path) ?? []
            case "shutdown_date":
                guard let date = reader.nonEmptyString(entry.value, path: path) else { continue }
                if Self.isDate(date) {
                    deprecation.shutdownDate = date
                } else {
                    reader.error(path, "'\(Quoting.inline(date))' is not a date (expected YYYY-MM-DD)", at: entry.value)
                }
            default:
                break
            }
        }
        return deprecation
    }

    /// The exact decimal a scalar's text spells (`0.60`, `"3.00"`, `15`), or `nil` for anything
    /// else (signs, exponents, words). Never goes through `Double`.
    static func decimal(_ text: String) -> Decimal? {
        let trimmed = text.trimmingWhitespace
        guard SettingValue.isPlainDecimal(trimmed) else { return nil }
        return Decimal(string: trimmed, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// `YYYY-MM-DD` with a plausible month and day.
    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) }),
            Int(parts[0]) != nil, let month = Int(parts[1]), let day = Int(parts[2])
        else { return false }
        return (1...12).contains(month) && (1...31).contains(day)
    }
}
