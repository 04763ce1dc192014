import Foundation
import KimiSwarmCore
package import KimiSwarmEngine
package import KimiSwarmStore

/// Keeps a resumed run's event stream reading like one uninterrupted run. When a run resumes
/// (after a crash, a kill, a shutdown or a resume request), the engine replays its journal and
/// announces again what it replays: `started`, `planned`, `synthesis_started`, and
/// `agent_started`/`agent_finished` for every agent whose work was journaled. What the stored
/// stream already says is dropped; everything new (a step that had not finished, costs, the
/// end) goes through.
package struct ResumedEventFilter: Sendable {
    private var started = false
    private var planned = false
    private var synthesisStarted = false
    private var agentsStarted: Set<String> = []
    private var agentsFinished: Set<String> = []

    /// A filter that lets everything through (a run's first execution).
    package init() {}

    /// A filter for a run whose stored events are `events`.
    package init(stored events: [StoredRunEvent]) {
        for event in events {
            switch event.type {
            case "started": started = true
            case "planned": planned = true
            case "synthesis_started": synthesisStarted = true
            case "agent_started": if let agent = Self.agent(of: event) { agentsStarted.insert(agent) }
            case "agent_finished": if let agent = Self.agent(of: event) { agentsFinished.insert(agent) }
            default: break
            }
        }
    }

    /// Reads every stored event of a run (in pages) into a filter.
    package static func load(store: SwarmStore, tenantID: String, runID: String) async throws -> ResumedEventFilter {
        var events: [StoredRunEvent] = []
        var after = 0
        while true {
            let page = try await store.events.events(tenantID: tenantID, runID: runID, afterSeq: after, limit: 1000)
            events += page
            guard page.count == 1000, let last = page.last else { break }
            after = last.seq
        }
        return ResumedEventFilter(stored: events)
    }

    /// Whether `event` says something the stored stream does not already say.
    package func admits(_ event: KimiSwarmEngine.RunEvent) -> Bool {
        switch event {
        case .started: return !started
        case .planned: return !planned
        case .synthesisStarted: return !synthesisStarted
        case .agentStarted(let agent, _, _, _): return !agentsStarted.contains(agent)
        case .agentFinished(let agent, _, _, _, _): return !agentsFinished.contains(agent)
        default: return true
        }
    }

    private static func agent(of event: StoredRunEvent) -> String? {
        RunEventPayload(type: event.type, data: event.data)?.agent
    }
}
