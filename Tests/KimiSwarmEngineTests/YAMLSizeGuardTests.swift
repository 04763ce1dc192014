import Foundation
import KimiSwarmCore
@testable import KimiSwarmEngine
import Testing

/// Templates come from tenants: a few hundred bytes of anchors and aliases must not become
/// millions of nodes for the server to walk, and deep nesting must not reach the parser's
/// recursion.
@Suite struct YAMLSizeGuardTests {
    static let template = """
        id: laughs
        name: Laughs
        category: test
        purpose: Tests the YAML guard.
        model_tier: fast
        system_prompt: You laugh.
        """

    /// Nine anchors of nine aliases each: 9^9 (387 million) nodes once expanded.
    static var billionLaughs: String {
        var lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in 1...9 {
            let previous = Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ", ")
            lines.append("l\(level): &l\(level) [\(previous)]")
        }
        return lines.joined(separator: "\n")
    }

    @Test func aliasBombsAreRefusedBeforeAnyTreeIsWalked() throws {
        let started = ContinuousClock.now
        for yaml in [
            Self.template + "\noutput_schema:\n  " + Self.billionLaughs.replacingOccurrences(of: "\n", with: "\n  "),
            // As a complex mapping key, which the YAML library hashes while it composes.
            Self.template + "\n" + Self.billionLaughs + "\nkeys:\n  ? *l9\n  : x",
        ] {
            #expect(throws: TemplateError.self) { _ = try AgentTemplate(yaml: yaml, file: "tenant/laughs.yaml") }
            do {
                _ = try AgentTemplate(yaml: yaml, file: "tenant/laughs.yaml")
            } catch {
                #expect(error.description.contains("expands to more than"), "\(error.description)")
            }
        }
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func deepNestingIsRefused() {
        let deep = Self.template + "\nexamples: " + String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(throws: YAMLSizeGuard.Problem.self) { try YAMLSizeGuard().check(deep) }
        #expect(throws: TemplateError.self) { _ = try AgentTemplate(yaml: deep, file: "tenant/deep.yaml") }
    }

    @Test func ordinaryTemplatesAndSmallAnchorsPass() throws {
        try YAMLSizeGuard().check(Self.template + "\nshared: &shared [a, b]\nexamples: *shared")
        // Every shipped template and swarm goes through the guard as it loads.
        #expect(try TemplateLibrary.builtIn().templates.count >= 40)
        let parsed = try AgentTemplate(yaml: Self.template, file: "tenant/laughs.yaml")
        #expect(parsed.id == "laughs")
    }
}
