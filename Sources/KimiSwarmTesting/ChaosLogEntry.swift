/// One request as the ``ChaosUpstream`` saw and answered it: an entry of the request log that
/// `GET /_chaos/log` returns, so a scenario can check retries, repeats and spend against what
/// the upstream actually received.
struct ChaosLogEntry: Sendable {
    /// The request's ``RecordedRequest/sequenceNumber``.
    var sequenceNumber: Int
    /// When it arrived, in seconds since 1970 (the wall clock, comparable across processes).
    var receivedAt: Double
    var method: String
    var path: String
    var bodyBytes: Int
    var identity: CallIdentity
    /// `none`, `rate_limit`, `error`, `burst`, `reset`, `hang`, `stall` or `truncate`.
    var fault: String
    /// The status the answer was planned with (0 for a reset or a hang).
    var status: Int
    /// The `Retry-After` sent with a 429, in seconds.
    var retryAfter: Int?
    /// The usage the answer reports, when fixed by the settings.
    var usage: OpenAIWire.Usage?
    /// Milliseconds the answer waited before its first byte.
    var latencyMilliseconds: Int
    /// How the answer ended, and when (seconds since 1970); `nil` while it is under way.
    var outcome: ResponseOutcome?
    var endedAt: Double?

    /// The entry as a JSON object of snake-case keys.
    var json: JSONNode {
        let usage: JSONNode = self.usage.map {
            .object([("prompt_tokens", .int($0.promptTokens)), ("completion_tokens", .int($0.completionTokens))])
        } ?? .null
        return .object([
            ("seq", .int(sequenceNumber)), ("t", .double(receivedAt)), ("method", .string(method)), ("path", .string(path)),
            ("stream", .bool(identity.stream)), ("model", .optionalString(identity.model)), ("body_bytes", .int(bodyBytes)),
            ("body_hash", .string(identity.bodyHash)), ("content_hash", .optionalString(identity.contentHash)),
            ("role", .string(identity.role)), ("agent", .optionalString(identity.agent)), ("turn", .int(identity.turn)),
            ("last_user", .string(identity.lastUserText)), ("fault", .string(fault)), ("status", .int(status)),
            ("retry_after", .optionalInt(retryAfter)), ("usage", usage), ("latency_ms", .int(latencyMilliseconds)),
            ("outcome", .optionalString(outcome?.kind.rawValue)), ("status_sent", .optionalInt(outcome?.status)),
            ("t_end", endedAt.map(JSONNode.double) ?? .null),
        ])
    }
}
