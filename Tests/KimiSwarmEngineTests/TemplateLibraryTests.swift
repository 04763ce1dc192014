import Foundation
import KimiSwarmCore
@testable import KimiSwarmEngine
import Testing

@Suite struct TemplateLibraryTests {
    @Test func builtInLibraryHasFortyValidTemplatesAcrossTheCategories() throws {
        let library = try TemplateLibrary.builtIn()
        #expect(library.templates.count >= 40)
        let categories = Set(library.templates.values.map(\.category))
        for category in ["security", "architecture", "engineering", "data-ml", "product-ux", "writing-research", "business"] {
            #expect(categories.contains(category), "no template in \(category)")
        }
        for id in [
            "security-auditor", "penetration-tester", "threat-modeler", "compliance-soc2", "compliance-fedramp", "compliance-gdpr",
            "secrets-reviewer", "enterprise-architect", "cloud-architect", "data-architect", "api-architect", "database-architect",
            "integration-architect", "code-reviewer", "performance-engineer", "sre", "devops-engineer", "qa-engineer", "test-designer",
            "migration-engineer", "technical-writer", "researcher", "fact-checker", "summarizer", "critic", "financial-analyst",
            "market-analyst", "legal-reviewer", "risk-analyst",
        ] {
            #expect(library.templates[id] != nil, "missing template \(id)")
        }
        for template in library.templates.values {
            #expect(!template.purpose.isEmpty && !template.purpose.contains("\n"))
            #expect(template.systemPrompt.count > 400, "\(template.id) has a thin prompt")
            let unknown = Set(template.tools).subtracting(["http_get", "current_time", "delegate"])
            #expect(unknown.isEmpty, "\(template.id) lists unknown tools \(unknown)")
        }
    }

    @Test func readyMadeSwarmsAreFixedGraphsOfAtLeastFiveAgents() throws {
        let library = try TemplateLibrary.builtIn()
        for id in ["security", "enterprise-architecture"] {
            let swarm = try #require(library.swarms[id])
            #expect(swarm.graph.tasks.count >= 5)
            #expect(swarm.graph.depth >= 2)
            let validator = GraphValidator(knownTemplates: Set(library.templates.keys), maxTasks: 100)
            #expect(validator.problems(in: swarm.graph).isEmpty)
            for task in swarm.graph.tasks { #expect(library.templates[task.template]?.outputSchema == nil) }
        }
    }

    @Test func embeddedCopyMatchesTheDataFiles() throws {
        let resources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/KimiSwarmEngine/Resources")
        for (kind, embedded) in [("templates", EmbeddedResources.templates), ("swarms", EmbeddedResources.swarms)] {
            let folder = resources.appendingPathComponent(kind)
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
            #expect(embedded.map(\.name) == names, "run scripts/embed-resources")
            for file in embedded {
                let text = try String(contentsOf: folder.appendingPathComponent(file.name), encoding: .utf8)
                #expect(file.text == text.trimmingSuffixNewlines(), "\(kind)/\(file.name) changed: run scripts/embed-resources")
            }
        }
    }

    @Test func validationNamesTheFileAndEveryBadField() {
        let yaml = """
            id: Bad_ID
            name: Broken
            category: test
            purpose: |
              two
              lines
            model_tier: huge
            tools: [http_get, "not a tool!"]
            system_prompt: ""
            colour: blue
            """
        do {
            _ = try AgentTemplate(yaml: yaml, file: "custom/broken.yaml")
            Issue.record("a broken template loaded")
        } catch {
            let text = error.description
            for fragment in [
                "custom/broken.yaml: field `id`", "field `purpose`", "field `model_tier`: must be one of fast, balanced, deep (got \"huge\")",
                "field `tools[1]`", "field `system_prompt`: must not be empty", "field `colour`: unknown field",
            ] {
                #expect(text.contains(fragment), "missing: \(fragment) in \(text)")
            }
        }
    }

    @Test func userFolderAddsAndOverridesTemplatesAndSwarms() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("templates-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("swarms"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
            id: kubernetes-reviewer
            name: Kubernetes Reviewer
            category: engineering
            purpose: Reviews Kubernetes manifests for reliability and security.
            model_tier: fast
            tools: [current_time]
            system_prompt: You review Kubernetes manifests.
            """.write(to: folder.appendingPathComponent("kubernetes-reviewer.yaml"), atomically: true, encoding: .utf8)
        try """
            id: sre
            name: Our SRE
            category: engineering
            purpose: Our own SRE prompt.
            system_prompt: You are our SRE.
            """.write(to: folder.appendingPathComponent("sre.yaml"), atomically: true, encoding: .utf8)
        try """
            id: k8s
            name: Kubernetes review
            tasks:
              - id: manifests
                template: kubernetes-reviewer
                instructions: Review the manifests.
              - id: ops
                template: sre
                instructions: Review operability.
                depends_on: [manifests]
            """.write(to: folder.appendingPathComponent("swarms/k8s.yaml"), atomically: true, encoding: .utf8)
        var library = try TemplateLibrary.builtIn()
        try library.addFolder(folder)
        #expect(library.templates["kubernetes-reviewer"]?.modelTier == .fast)
        #expect(library.templates["sre"]?.name == "Our SRE")
        #expect(library.swarms["k8s"]?.graph.tasks.map(\.id) == ["manifests", "ops"])

        try """
            id: loop
            name: Loop
            tasks:
              - {id: a, template: sre, instructions: x, depends_on: [b]}
              - {id: b, template: nobody, instructions: y, depends_on: [a]}
            """.write(to: folder.appendingPathComponent("swarms/loop.yaml"), atomically: true, encoding: .utf8)
        var again = try TemplateLibrary.builtIn()
        #expect(throws: TemplateError.self) { try again.addFolder(folder) }
        do { try again.addFolder(folder) } catch {
            #expect(error.description.contains("unknown template \"nobody\""))
            #expect(error.description.contains("cycle"))
        }
    }
}

@Suite struct GraphValidatorTests {
    let validator = GraphValidator(knownTemplates: ["a", "b"], maxTasks: 3)

    @Test func acceptsADag() {
        let graph = TaskGraph(tasks: [
            SubTask(id: "one", template: "a", instructions: "x"),
            SubTask(id: "two", template: "b", instructions: "y", dependsOn: ["one"]),
        ])
        #expect(validator.problems(in: graph).isEmpty)
        #expect(graph.depth == 2)
    }

    @Test func reportsEveryProblem() {
        let graph = TaskGraph(tasks: [
            SubTask(id: "one", template: "a", instructions: "x", dependsOn: ["three"]),
            SubTask(id: "two", template: "zzz", instructions: " ", dependsOn: ["two", "ghost"]),
            SubTask(id: "three", template: "b", instructions: "z", dependsOn: ["one"]),
            SubTask(id: "one", template: "a", instructions: "dup"),
        ])
        let problems = validator.problems(in: graph).joined(separator: "\n")
        #expect(problems.contains("4 tasks; at most 3"))
        #expect(problems.contains("unknown template \"zzz\""))
        #expect(problems.contains("\"two\" has no instructions"))
        #expect(problems.contains("depends on itself"))
        #expect(problems.contains("\"ghost\", which is not a task"))
        #expect(problems.contains("used twice"))
        #expect(problems.contains("cycle"))
    }
}

@Suite struct JSONSchemaValidatorTests {
    @Test func validatesTheCommonKeywords() throws {
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "verdict": ["type": "string", "enum": ["true", "false", "unverifiable"]],
                "confidence": ["type": "number", "minimum": 0, "maximum": 1],
                "sources": ["type": "array", "items": ["type": "string"], "minItems": 1],
            ],
            "required": ["verdict", "sources"],
            "additionalProperties": false,
        ]
        #expect(JSONSchemaValidator.validate(["verdict": "true", "confidence": 0.5, "sources": ["a"]], against: schema).isEmpty)
        let problems = JSONSchemaValidator.validate(["verdict": "maybe", "confidence": 2, "sources": [], "extra": 1], against: schema)
        #expect(problems.count == 4)
        #expect(JSONSchemaValidator.validate("text", against: schema) == ["$: expected object, got string"])
        #expect(JSONSchemaValidator.checkSchema(["type": "objekt"]) == ["$.type: unknown type \"objekt\""])
    }
}

extension String {
    func trimmingSuffixNewlines() -> String {
        var text = self
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
