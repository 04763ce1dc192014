/// A setting of a ``ChaosSettings`` patch that is unknown or out of range.
public struct ChaosSettingsError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, naming the key.
    public var message: String

    public var description: String { message }
}

extension ChaosSettings {
    /// Applies a JSON object of snake-case keys (`rate_limit`, `retry_after`, `errors`,
    /// `error_status`, `burst`, `burst_status`, `reset`, `hang`, `stall`, `truncate`, `latency_ms`,
    /// `latency_jitter_ms`, `seed`, `usage` {`prompt_tokens`, `completion_tokens`} or null,
    /// `swarm` {`agents`, `lanes`, `template`} or null, `retry_after` null to send no header).
    /// Keys not named keep their value; nothing changes when a value is invalid.
    public mutating func apply(_ patch: WireJSON) throws(ChaosSettingsError) {
        guard case .object(let members) = patch else { throw ChaosSettingsError(message: "the settings must be a JSON object") }
        var next = self
        for (key, value) in members.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "seed": next.seed = UInt64(try Self.integer(value, key, 0...Int.max))
            case "latency_ms": next.latencyMilliseconds = try Self.integer(value, key, 0...600_000)
            case "latency_jitter_ms": next.latencyJitterMilliseconds = try Self.integer(value, key, 0...600_000)
            case "rate_limit": next.rateLimit = try Self.fraction(value, key)
            case "retry_after": next.retryAfter = value == .null ? nil : try Self.integer(value, key, 0...86_400)
            case "errors": next.errors = try Self.fraction(value, key)
            case "error_status": next.errorStatus = try Self.integer(value, key, 500...599)
            case "burst": next.burst = try Self.integer(value, key, 0...1_000_000)
            case "burst_status": next.burstStatus = try Self.integer(value, key, 500...599)
            case "reset": next.reset = try Self.fraction(value, key)
            case "hang": next.hang = try Self.fraction(value, key)
            case "stall": next.stall = try Self.fraction(value, key)
            case "truncate": next.truncate = try Self.fraction(value, key)
            case "usage": next.usage = try Self.usage(value)
            case "swarm": next.swarm = try Self.swarm(value)
            default: throw ChaosSettingsError(message: "unknown setting `\(key)`")
            }
        }
        guard next.faultShare <= 1 + 1e-9 else {
            throw ChaosSettingsError(message: "the fault fractions add up to \(next.faultShare), more than 1")
        }
        self = next
    }

    /// The settings as a JSON object of the keys ``apply(_:)`` takes.
    var json: JSONNode {
        let usage: JSONNode = self.usage.map {
            .object([("prompt_tokens", .int($0.promptTokens)), ("completion_tokens", .int($0.completionTokens))])
        } ?? .null
        let swarm: JSONNode = self.swarm.map {
            .object([("agents", .int($0.agents)), ("lanes", .int($0.lanes)), ("template", .string($0.template))])
        } ?? .null
        return .object([
            ("seed", .int(Int(truncatingIfNeeded: seed))), ("latency_ms", .int(latencyMilliseconds)),
            ("latency_jitter_ms", .int(latencyJitterMilliseconds)), ("rate_limit", .double(rateLimit)),
            ("retry_after", .optionalInt(retryAfter)), ("errors", .double(errors)), ("error_status", .int(errorStatus)),
            ("burst", .int(burst)), ("burst_status", .int(burstStatus)), ("reset", .double(reset)), ("hang", .double(hang)),
            ("stall", .double(stall)), ("truncate", .double(truncate)), ("usage", usage), ("swarm", swarm),
        ])
    }

    private static func integer(_ value: WireJSON, _ key: String, _ range: ClosedRange<Int>) throws(ChaosSettingsError) -> Int {
        guard let number = value.intValue, range.contains(number) else {
            throw ChaosSettingsError(message: "`\(key)` must be a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    private static func fraction(_ value: WireJSON, _ key: String) throws(ChaosSettingsError) -> Double {
        guard let number = value.doubleValue, number >= 0, number <= 1 else {
            throw ChaosSettingsError(message: "`\(key)` must be a fraction between 0 and 1")
        }
        return number
    }

    private static func usage(_ value: WireJSON) throws(ChaosSettingsError) -> OpenAIWire.Usage? {
        if value == .null { return nil }
        guard let prompt = value["prompt_tokens"], let completion = value["completion_tokens"] else {
            throw ChaosSettingsError(message: "`usage` must be null or {\"prompt_tokens\": N, \"completion_tokens\": M}")
        }
        return OpenAIWire.Usage(
            promptTokens: try integer(prompt, "usage.prompt_tokens", 0...100_000_000),
            completionTokens: try integer(completion, "usage.completion_tokens", 0...100_000_000))
    }

    private static func swarm(_ value: WireJSON) throws(ChaosSettingsError) -> SwarmPlan? {
        if value == .null { return nil }
        guard let agentsValue = value["agents"] else {
            throw ChaosSettingsError(message: "`swarm` must be null or {\"agents\": N, \"lanes\": L, \"template\": ID}")
        }
        let agents = try integer(agentsValue, "swarm.agents", 1...100)
        var lanes: Int?
        if let lanesValue = value["lanes"] { lanes = try integer(lanesValue, "swarm.lanes", 1...agents) }
        guard let template = value["template"]?.stringValue ?? (value["template"] == nil ? "generalist" : nil), !template.isEmpty else {
            throw ChaosSettingsError(message: "`swarm.template` must be a template id")
        }
        return SwarmPlan(agents: agents, lanes: lanes, template: template)
    }
}
