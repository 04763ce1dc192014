import KimiSwarmClient
import KimiSwarmCore
import Testing

/// The configuration and models files go through the same YAML reader as templates
/// (`YAMLParsing` in Core): an alias bomb or deep nesting is refused before any tree is walked,
/// with the file named and nothing of the text quoted.
@Suite("Configuration: YAML bounds")
struct ConfigurationYAMLBoundsTests {
    /// Nine anchors of nine aliases each: 9^9 (387 million) nodes once expanded.
    static var billionLaughs: String {
        var lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in 1...9 {
            let previous = Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ", ")
            lines.append("l\(level): &l\(level) [\(previous)]")
        }
        return lines.joined(separator: "\n")
    }

    static func configError(_ yaml: String) -> KimiSwarmError? {
        do {
            _ = try ConfigurationLoader.load(environment: [:], configFile: ConfigFile(path: "kimiswarm.yaml", contents: yaml))
            return nil
        } catch {
            return error
        }
    }

    @Test("an alias bomb in the config file is refused, naming the file and the limit")
    func configAliasBomb() throws {
        let error = try #require(Self.configError("retry:\n  max_attempts: 3\n" + Self.billionLaughs + "\nkeys:\n  ? *l9\n  : x\n"))
        #expect(error.category == .configuration)
        #expect(error.message.contains("kimiswarm.yaml: the YAML expands to more than 100000 nodes"), "\(error.message)")
        #expect(!error.message.contains("lol"))
    }

    @Test("nesting deeper than 64 levels in the config file is refused")
    func configDeepNesting() throws {
        let deep = "retry: " + String(repeating: "[", count: 500) + String(repeating: "]", count: 500) + "\n"
        let error = try #require(Self.configError(deep))
        #expect(error.message.contains("kimiswarm.yaml: the YAML nests more than 64 levels deep"), "\(error.message)")
    }

    @Test("an alias bomb in a models file is refused the same way")
    func modelsAliasBomb() throws {
        do {
            _ = try ModelRegistryLoader.parse(yaml: "models: []\n" + Self.billionLaughs + "\n", source: "models.yaml")
            Issue.record("the alias bomb was accepted")
        } catch {
            #expect(error.message.contains("models.yaml: the YAML expands to more than 100000 nodes"), "\(error.message)")
        }
    }

    @Test("small anchors within the bounds still load")
    func smallAnchorsPass() throws {
        let yaml = "retry: &r {max_attempts: 4}\n"
        #expect(Self.configError(yaml) == nil)
    }
}
