import Foundation
import KimiSwarmCore
import Synchronization

/// A fault-injecting upstream on a ``LoopbackProviderServer``: the echo model (or, with
/// ``ChaosSettings/swarm``, a swarm's scripted replies) behind a seeded fault mix of 429s with
/// `Retry-After`, server-error bursts, resets, hangs, stalled and truncated answers and added
/// latency, in the OpenAI wire format, with a log of every request and how its answer ended.
///
/// ```swift
/// let chaos = ChaosUpstream(settings: settings)
/// chaos.install(on: server)
/// ```
///
/// Installed, it also answers the control routes (never faulted, never logged):
/// - `GET /_chaos/log[?since=SEQ]`: `{"entries": [...], "now": T}`, the log entries after `SEQ`;
/// - `GET /_chaos/config`: the settings; `POST /_chaos/config` with a JSON object changes the
///   keys it names (see ``ChaosSettings/apply(_:)``) and answers the new settings (400 when
///   invalid);
/// - `POST /_chaos/reset`: forgets the log.
public final class ChaosUpstream: Sendable {
    private struct State {
        var settings: ChaosSettings
        var random: SeededRandom
        var log: [ChaosLogEntry] = []
        /// Position in `log` of each logged sequence number.
        var positions: [Int: Int] = [:]
    }

    /// What one call gets: its fault, status and latency.
    private struct Decision {
        var fault: String
        var status: Int
        var latency: Int
    }

    private let state: Mutex<State>
    private let now: @Sendable () -> Double

    /// Creates an upstream with `settings`.
    public init(settings: ChaosSettings = ChaosSettings()) {
        state = Mutex(State(settings: settings, random: SeededRandom(seed: settings.seed)))
        now = { Date().timeIntervalSince1970 }
    }

    /// Answers every request of `server` that has no scripted response, and follows how each
    /// answer ends. Replaces the server's responder and response observer.
    public func install(on server: LoopbackProviderServer) {
        server.setResponder { [self] request in respond(request) }
        server.setResponseObserver { [self] sequenceNumber, outcome in record(outcome, sequenceNumber: sequenceNumber) }
    }

    /// The current settings.
    public var settings: ChaosSettings {
        state.withLock { $0.settings }
    }

    /// Changes the settings with a JSON patch (``ChaosSettings/apply(_:)``); a new `seed`
    /// restarts the draws.
    public func update(_ patch: WireJSON) throws(ChaosSettingsError) {
        try state.withLock { (state: inout State) throws(ChaosSettingsError) in
            let seed = state.settings.seed
            try state.settings.apply(patch)
            if state.settings.seed != seed || patch["seed"] != nil { state.random = SeededRandom(seed: state.settings.seed) }
        }
    }

    /// The answer to `request`.
    public func respond(_ request: RecordedRequest) -> FakeResponse? {
        if request.path.hasPrefix("/_chaos/") { return control(request) }
        let identity = CallIdentity(request)
        let (settings, decision) = state.withLock { state in (state.settings, Self.decide(&state)) }
        let retryAfter = decision.fault == "rate_limit" ? settings.retryAfter : nil
        let response = Self.answer(request, settings: settings, decision: decision, retryAfter: retryAfter)
        let entry = ChaosLogEntry(
            sequenceNumber: request.sequenceNumber, receivedAt: now(), method: request.method, path: request.path,
            bodyBytes: request.body.count, identity: identity, fault: decision.fault, status: decision.status, retryAfter: retryAfter,
            usage: decision.fault == "none" && request.path.hasSuffix("/chat/completions") ? settings.usage : nil,
            latencyMilliseconds: decision.latency)
        state.withLock { state in
            state.positions[entry.sequenceNumber] = state.log.count
            state.log.append(entry)
        }
        return decision.latency > 0 ? .delayed(.milliseconds(decision.latency), response) : response
    }

    /// Notes how the answer to request `sequenceNumber` ended.
    func record(_ outcome: ResponseOutcome, sequenceNumber: Int) {
        let time = now()
        state.withLock { state in
            guard let position = state.positions[sequenceNumber], state.log[position].outcome == nil else { return }
            state.log[position].outcome = outcome
            state.log[position].endedAt = time
        }
    }

    /// The JSON of the log entries after sequence number `since`.
    func logJSON(since: Int) -> String {
        let entries = state.withLock { state in state.log.filter { $0.sequenceNumber > since } }
        return JSONNode.object([("entries", .array(entries.map(\.json))), ("now", .double(now()))]).serialized
    }

    // MARK: - Faults

    /// Draws the fault of the next call (a burst first), and its latency.
    private static func decide(_ state: inout State) -> Decision {
        let settings = state.settings
        var latency = settings.latencyMilliseconds
        if settings.latencyJitterMilliseconds > 0 {
            latency += Int(state.random.unit() * Double(settings.latencyJitterMilliseconds + 1))
        }
        if state.settings.burst > 0 {
            state.settings.burst -= 1
            return Decision(fault: "burst", status: settings.burstStatus, latency: latency)
        }
        let draw = state.random.unit()
        let slices: [(String, Double, Int)] = [
            ("rate_limit", settings.rateLimit, 429), ("error", settings.errors, settings.errorStatus), ("reset", settings.reset, 0),
            ("hang", settings.hang, 0), ("stall", settings.stall, 200), ("truncate", settings.truncate, 200),
        ]
        var upper = 0.0
        for (fault, share, status) in slices {
            upper += share
            if draw < upper { return Decision(fault: fault, status: status, latency: latency) }
        }
        return Decision(fault: "none", status: 200, latency: latency)
    }

    /// The response for `decision`: the plain answer, an error, or the answer broken mid-way.
    private static func answer(
        _ request: RecordedRequest, settings: ChaosSettings, decision: Decision, retryAfter: Int?
    ) -> FakeResponse {
        switch decision.fault {
        case "rate_limit":
            var headers: FakeHeaders = []
            if let retryAfter { headers.add(name: "retry-after", value: String(retryAfter)) }
            return OpenAIWire.error(
                status: 429, message: "Rate limit reached for requests (chaos upstream). Please try again later.",
                type: "requests", code: "rate_limit_exceeded", headers: headers)
        case "error", "burst":
            let message = decision.status == 503
                ? "The engine is currently overloaded, please try again later. (chaos upstream)"
                : "The server had an error while processing your request. Sorry about that! (chaos upstream)"
            return OpenAIWire.error(status: decision.status, message: message, type: "server_error")
        case "reset":
            return .reset
        case "hang":
            return .hang
        case "stall", "truncate":
            return broken(base(request, settings: settings), stalls: decision.fault == "stall")
        default:
            return base(request, settings: settings)
        }
    }

    /// The fault-free answer: the swarm's reply when set and the call is a chat completion,
    /// else the echo model's, with the fixed usage when set.
    private static func base(_ request: RecordedRequest, settings: ChaosSettings) -> FakeResponse {
        if let plan = settings.swarm {
            let usage = settings.usage.map { Usage(promptTokens: $0.promptTokens, completionTokens: $0.completionTokens) }
            let script = SwarmScript(plans: [planJSON(plan)], usage: usage ?? Usage(promptTokens: 100, completionTokens: 20))
            if let reply = script.respond(request) { return reply }
        }
        return EchoModel.response(for: request, usage: settings.usage)
    }

    /// `response` stopped half-way: a stream after half its events, a JSON body after half its
    /// bytes; closed (truncated) or kept silent (stalled).
    private static func broken(_ response: FakeResponse, stalls: Bool) -> FakeResponse {
        switch response {
        case .sse(let events, let status, let headers, let interval, _, let splitEvents, _):
            let half = max(1, events.count / 2)
            return .sse(
                events: events, status: status, headers: headers, interval: interval, cutAfter: stalls ? nil : half,
                splitEvents: splitEvents, stallAfter: stalls ? half : nil)
        case .json(let status, let body, let headers):
            return .incomplete(status: status, body: body, headers: headers, sentBytes: body.utf8.count / 2, stalls: stalls)
        case .delayed(let delay, let inner):
            return .delayed(delay, broken(inner, stalls: stalls))
        default:
            return response
        }
    }

    /// The planner's reply for `plan`: task k (from 1) depends on task k − lanes.
    static func planJSON(_ plan: ChaosSettings.SwarmPlan) -> String {
        let tasks: [JSONNode] = (1...plan.agents).map { index in
            let dependsOn: [JSONNode] = index > plan.lanes ? [.string("task-\(index - plan.lanes)")] : []
            return .object([
                ("id", .string("task-\(index)")), ("template", .string(plan.template)),
                ("instructions", .string("Part \(index) of the task: review it and report findings.")),
                ("expected_output", .string("Markdown findings")), ("depends_on", .array(dependsOn)),
            ])
        }
        return JSONNode.object([("tasks", .array(tasks)), ("synthesis_instructions", .string("Merge the findings."))]).serialized
    }

    // MARK: - Control routes

    private func control(_ request: RecordedRequest) -> FakeResponse {
        switch (request.method.uppercased(), request.path) {
        case ("GET", "/_chaos/log"):
            return .json(body: logJSON(since: Int(request.queryItem("since") ?? "") ?? 0))
        case ("GET", "/_chaos/config"):
            return .json(body: settings.json.serialized)
        case ("POST", "/_chaos/config"):
            guard let patch = request.json else {
                return OpenAIWire.error(status: 400, message: "the body must be a JSON object of settings")
            }
            do {
                try update(patch)
            } catch {
                return OpenAIWire.error(status: 400, message: error.message)
            }
            return .json(body: settings.json.serialized)
        case ("POST", "/_chaos/reset"):
            state.withLock { state in
                state.log.removeAll()
                state.positions.removeAll()
            }
            return .json(body: #"{"reset":true}"#)
        default:
            return OpenAIWire.error(status: 404, message: "Unknown chaos route: \(request.method) \(request.path)", code: "unknown_url")
        }
    }
}
