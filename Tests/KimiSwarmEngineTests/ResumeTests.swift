import Foundation
import KimiSwarmCore
import KimiSwarmEngine
import KimiSwarmStore
import KimiSwarmTesting
import Logging
import Testing

@Suite("Journal and resume")
struct ResumeTests {
    static let graph = TaskGraph(tasks: [
        SubTask(id: "a", template: "t", instructions: "first"),
        SubTask(id: "b", template: "t", instructions: "second"),
        SubTask(id: "c", template: "t", instructions: "third (uses the tool)"),
        SubTask(id: "d", template: "t", instructions: "fourth", dependsOn: ["a", "c"]),
    ])

    static func script() -> SwarmScript {
        SwarmScript { turn in
            if turn.agentID == "c", turn.toolResults.isEmpty { return .toolCalls([toolCall("lookup-1", "lookup", #"{"q":"x"}"#)]) }
            return .answer("Findings of \(turn.agentID ?? "?") after \(turn.toolResults.count) tool results.")
        }
    }

    @Test("a run killed part-way resumes from the store's journal (SQLite) in a new engine: no finished step is paid twice")
    func resumeAfterKill() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await LoopbackProviderServer.withServer { server in
            let script = Self.script()
            server.setResponder(script.respond)
            let library = TemplateLibrary(templates: [template("t", tools: ["lookup"])])
            let spec = RunSpec(task: "audit", source: .graph(Self.graph))

            // First process: the tool hangs, the run is killed while it waits.
            let firstStore = try await openJournalStore(path)
            let firstJournal = firstStore.journal(tenantID: "scope:local")
            let hanging = ScriptedTool(name: "lookup") { _ in .hang }
            let first = try makeEngine(server, journal: firstJournal, library: library, tools: [hanging]).makeRun(spec)
            let runID = first.id
            // One reader of the events only (an AsyncStream hands each element to one iterator).
            let task = Task { await first.run() }
            for await envelope in first.events {
                if case .toolCall(agent: "c", _, _, _) = envelope.event { break }
            }
            // a and b finish on their own; wait until both are journaled, then kill.
            for _ in 0..<300 {
                let entries = try await firstJournal.entries(runID: runID)
                if entries.contains(where: { $0.stepID == "task/a/result" }), entries.contains(where: { $0.stepID == "task/b/result" }) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            task.cancel()
            _ = await task.value
            try await firstStore.database.close()
            let firstRequests = server.recordedRequests().map(\.bodyString)
            #expect(firstRequests.count == 3)  // a, b, and c's first turn
            server.clearRecordedRequests()

            // Second process: same run id, a fresh journal connection, the tool answers.
            let secondStore = try await openJournalStore(path)
            let secondJournal = secondStore.journal(tenantID: "scope:local")
            let answering = ScriptedTool(name: "lookup") { _ in .answer("looked up") }
            let engine = try makeEngine(server, journal: secondJournal, library: library, tools: [answering])
            let resumed = try await engine.resume(runID: runID)
            #expect(resumed.spec == spec)
            let (result, events) = await runCollecting(resumed)
            try await secondStore.database.close()
            #expect(result.status == .completed, "\(result.error ?? "")")
            let secondRequests = server.recordedRequests().map(\.bodyString)
            #expect(Set(firstRequests).isDisjoint(with: secondRequests), "a finished step was sent again")
            #expect(secondRequests.count == 3)  // c's second turn, d, synthesis
            #expect(result.replayedSteps >= 3)
            if case .started(_, true, let replayed) = events.first?.event { #expect(replayed >= 4) } else { Issue.record("not resumed") }

            // The cost equals that of an uninterrupted run.
            server.clearRecordedRequests()
            let fresh = try makeEngine(server, journal: InMemoryJournal(), library: library, tools: [answering])
            let (uninterrupted, _) = await runCollecting(fresh.makeRun(spec))
            #expect(uninterrupted.status == .completed)
            #expect(result.costUSD == uninterrupted.costUSD)
            #expect(result.usage == uninterrupted.usage)
            #expect(result.llmCalls == uninterrupted.llmCalls)
            #expect(result.toolCalls == uninterrupted.toolCalls)
            #expect(result.answer == uninterrupted.answer)

            // Resuming a finished run returns its result without any call.
            server.clearRecordedRequests()
            let againStore = try await openJournalStore(path)
            let (replayed, _) = await runCollecting(
                try await makeEngine(server, journal: againStore.journal(tenantID: "scope:local"), library: library, tools: [answering])
                    .resume(runID: runID))
            try await againStore.database.close()
            #expect(replayed.status == .completed)
            #expect(server.requestCount == 0)
        }
    }

    @Test("a different spec under an existing run id is refused")
    func differentSpecRefused() async throws {
        try await LoopbackProviderServer.withServer { server in
            server.setResponder(SwarmScript().respond)
            let journal = InMemoryJournal()
            let engine = try makeEngine(server, journal: journal, library: TemplateLibrary(templates: [template("t", tools: ["lookup"])]))
            let (first, _) = await runCollecting(engine.makeRun(RunSpec(task: "one", source: .graph(Self.graph)), runID: "run_fixed"))
            #expect(first.status == .completed)
            let (second, _) = await runCollecting(engine.makeRun(RunSpec(task: "two", source: .graph(Self.graph)), runID: "run_fixed"))
            #expect(second.status == .failed)
            #expect(second.error?.contains("already exists with a different task") == true)
            await #expect(throws: KimiSwarmError.self) { try await engine.resume(runID: "run_missing") }
        }
    }
}

@Suite("Journals")
struct JournalTests {
    @Test("first write wins, entries come back in order, and costs keep every decimal", arguments: ["memory", "store"])
    func roundTrip(kind: String) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = kind == "store" ? try await openJournalStore(path) : nil
        let journal: any RunJournal = store?.journal(tenantID: "scope:local") ?? InMemoryJournal()
        let cost = Decimal(string: "0.000123456789012345")!
        let first = JournalEntry(runID: "r1", stepID: "s1", kind: .llm, payload: "{\"a\":1}", usage: Usage(promptTokens: 3, completionTokens: 4), costUSD: cost)
        #expect(try await journal.record(first).payload == "{\"a\":1}")
        let loser = try await journal.record(JournalEntry(runID: "r1", stepID: "s1", kind: .llm, payload: "{\"a\":2}"))
        #expect(loser.payload == "{\"a\":1}")
        try await journal.record(JournalEntry(runID: "r1", stepID: "s2", kind: .tool, payload: "x"))
        try await journal.record(JournalEntry(runID: "r2", stepID: "s1", kind: .tool, payload: "other run"))
        let entries = try await journal.entries(runID: "r1")
        #expect(entries.map(\.stepID) == ["s1", "s2"])
        #expect(entries[0].costUSD == cost)
        #expect(entries[0].usage == Usage(promptTokens: 3, completionTokens: 4))
        #expect(try await journal.entry(runID: "r2", stepID: "s1")?.payload == "other run")
        #expect(try await journal.entry(runID: "r2", stepID: "nope") == nil)
        if let store {
            try await store.database.close()
            let reopened = try await openJournalStore(path)
            #expect(try await reopened.journal(tenantID: "scope:local").entries(runID: "r1").count == 2)
            #expect(try await reopened.journal(tenantID: "other").entries(runID: "r1").isEmpty)
            try await reopened.database.close()
        }
    }
}

/// The store on a SQLite file at `path`, migrated, as `swarm run` opens it (close its database when done).
func openJournalStore(_ path: String) async throws -> SwarmStore {
    let logger = Logger(label: "kimiswarm.journal.tests", factory: { _ in SwiftLogNoOpLogHandler() })
    let store = SwarmStore(database: try await SQLiteDatabase.open(path: path, logger: logger), logger: logger)
    try await store.migrate()
    return store
}
