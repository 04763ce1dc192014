public import Foundation

/// The lifecycle of a run. `partial`: it ended with an answer made from part of the work,
/// because a limit (budget, time, sub-agents) stopped it or some sub-tasks failed.
public enum RunStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case queued, running, succeeded, partial, failed, cancelled
}

/// A run as stored: task, graph, budgets, status, result and totals.
public struct RunRecord: Sendable, Hashable, Codable {
    public var tenantID: String
    public var id: String
    public var templateID: String?
    public var createdBy: String?
    public var task: String
    /// The plan graph as JSON text, once planned.
    public var graph: String?
    /// The budgets as JSON text.
    public var budgets: String?
    public var status: RunStatus
    public var result: String?
    public var promptTokens: Int
    public var completionTokens: Int
    public var costUSD: Decimal
    public var createdAt: Date
    public var updatedAt: Date
    public var finishedAt: Date?
    /// The engine's run spec as JSON text (runs submitted through ``RunRepository/submit(_:)``).
    public var spec: String? = nil
    /// The API key that submitted the run.
    public var apiKeyID: String? = nil
    /// The client's idempotency key, unique per tenant when set.
    public var idempotencyKey: String? = nil
    /// A hash of the submitted request, to tell a retry from a different request under the same key.
    public var requestHash: String? = nil
    /// When a cancel was requested while the run was running (the worker stops it).
    public var cancelRequestedAt: Date? = nil
    /// The queue job that executes the run (the latest one after a resume).
    public var jobID: String? = nil

    /// Whether the run reached a final status.
    public var isFinished: Bool { status.isFinal }
}

extension RunStatus {
    /// `succeeded`, `partial`, `failed` or `cancelled`.
    public var isFinal: Bool { self == .succeeded || self == .partial || self == .failed || self == .cancelled }
}

/// One event of a run, ordered by `seq` within the run.
public struct StoredRunEvent: Sendable, Hashable, Codable {
    public var tenantID: String
    public var runID: String
    public var seq: Int
    public var type: String
    /// The event as JSON text.
    public var data: String
    public var createdAt: Date
}

/// A run to create and enqueue in one transaction (``RunRepository/submit(_:)``).
public struct RunSubmission: Sendable, Hashable {
    /// The tenant the run belongs to.
    public var tenantID: String
    /// The new run's id.
    public var id: String
    /// The task text.
    public var task: String
    /// The agent template it runs, if any.
    public var templateID: String?
    /// The user who submitted it.
    public var createdBy: String?
    /// The API key that submitted it.
    public var apiKeyID: String?
    /// The engine's run spec as JSON text.
    public var spec: String
    /// The budgets as JSON text.
    public var budgets: String?
    /// The client's idempotency key; a second submission with the same key returns the first run.
    public var idempotencyKey: String?
    /// A hash of the request, compared when the idempotency key was seen before.
    public var requestHash: String?
    /// The payload of the job that executes the run.
    public var jobPayload: String
    /// The job's kind.
    public var jobKind: String
    /// The job's queue.
    public var queue: String
    /// The job's priority (higher first).
    public var priority: Int
    /// The job's attempts before it is dead-lettered.
    public var maxAttempts: Int

    /// Creates a submission.
    public init(
        tenantID: String, id: String = UUID().uuidString.lowercased(), task: String, templateID: String? = nil,
        createdBy: String? = nil, apiKeyID: String? = nil, spec: String, budgets: String? = nil, idempotencyKey: String? = nil,
        requestHash: String? = nil, jobPayload: String, jobKind: String = "run", queue: String = "runs", priority: Int = 0,
        maxAttempts: Int = 3
    ) {
        self.tenantID = tenantID
        self.id = id
        self.task = task
        self.templateID = templateID
        self.createdBy = createdBy
        self.apiKeyID = apiKeyID
        self.spec = spec
        self.budgets = budgets
        self.idempotencyKey = idempotencyKey
        self.requestHash = requestHash
        self.jobPayload = jobPayload
        self.jobKind = jobKind
        self.queue = queue
        self.priority = priority
        self.maxAttempts = maxAttempts
    }
}

/// What ``RunRepository/submit(_:)`` did.
public enum RunSubmissionOutcome: Sendable, Hashable {
    /// A new run, queued with its job.
    case created(RunRecord)
    /// The idempotency key was used before with the same request hash: that run.
    case existing(RunRecord)
    /// The idempotency key was used before for a different request: that run, nothing created.
    case idempotencyConflict(RunRecord)

    /// The run in every case.
    public var run: RunRecord {
        switch self {
        case .created(let run), .existing(let run), .idempotencyConflict(let run): return run
        }
    }
}

/// Filters of ``RunRepository/listRuns(tenantID:filter:after:limit:)``; `nil` fields do not filter.
public struct RunFilter: Sendable, Hashable {
    /// Only runs in this status.
    public var status: RunStatus?
    /// Only runs of this template.
    public var templateID: String?
    /// Only runs this user submitted.
    public var createdBy: String?
    /// Created at or after.
    public var createdFrom: Date?
    /// Created strictly before.
    public var createdTo: Date?
    /// Text the task contains (case-insensitive for ASCII letters; `%` and `_` match themselves).
    public var search: String?

    /// Creates a filter.
    public init(
        status: RunStatus? = nil, templateID: String? = nil, createdBy: String? = nil, createdFrom: Date? = nil,
        createdTo: Date? = nil, search: String? = nil
    ) {
        self.status = status
        self.templateID = templateID
        self.createdBy = createdBy
        self.createdFrom = createdFrom
        self.createdTo = createdTo
        self.search = search
    }
}

/// A position in the newest-first run list: the last run of a page.
public struct RunCursor: Sendable, Hashable {
    /// The run's creation time (whole milliseconds).
    public var createdAt: Date
    /// The run's id (breaks ties between runs created in the same millisecond).
    public var id: String

    /// A cursor at a run's position.
    public init(createdAt: Date, id: String) {
        self.createdAt = Date(millisecondsSince1970: createdAt.millisecondsSince1970)
        self.id = id
    }

    /// The cursor after `run`.
    public init(after run: RunRecord) { self.init(createdAt: run.createdAt, id: run.id) }

    /// Opaque text for clients: base64url (no padding) of `"<milliseconds>:<id>"`.
    public var encoded: String {
        Data("\(createdAt.millisecondsSince1970):\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Decodes ``encoded``; `nil` for text that is not a cursor.
    public init?(encoded: String) {
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
            let colon = text.firstIndex(of: ":"), let ms = Int64(text[..<colon])
        else { return nil }
        let id = String(text[text.index(after: colon)...])
        guard !id.isEmpty else { return nil }
        self.init(createdAt: Date(millisecondsSince1970: ms), id: id)
    }
}

/// What ``RunRepository/requestCancel(tenantID:runID:)`` did.
public enum RunCancelOutcome: Sendable, Hashable {
    /// No such run in the tenant.
    case notFound
    /// The run had finished already; nothing changed.
    case alreadyFinished(RunRecord)
    /// The run was queued: it is now cancelled and its job will not start.
    case cancelledQueued(RunRecord)
    /// The run is running: the cancel is recorded and its worker stops it.
    case cancelRequested(RunRecord)
}

/// What ``RunRepository/prepareResume(tenantID:runID:jobPayload:jobKind:queue:priority:maxAttempts:)`` did.
public enum RunResumeOutcome: Sendable, Hashable {
    /// No such run in the tenant.
    case notFound
    /// The run is queued, running or succeeded; nothing changed.
    case notResumable(RunRecord)
    /// The failed or cancelled run is queued again with a new job.
    case resumed(RunRecord)
}

/// A change to a run seen through PostgreSQL `LISTEN/NOTIFY`: a new event (`seq` > 0) or a
/// status change (`seq` 0, re-read the run).
public struct RunEventNotice: Sendable, Hashable {
    /// The notification channel.
    public static let channel = "kimiswarm_run_events"

    /// The run's tenant.
    public var tenantID: String
    /// The run.
    public var runID: String
    /// The new event's number, or 0 for a change of the run itself.
    public var seq: Int

    /// Creates a notice.
    public init(tenantID: String, runID: String, seq: Int) {
        self.tenantID = tenantID
        self.runID = runID
        self.seq = seq
    }

    /// The channel payload: `"<tenant>|<run>|<seq>"`.
    public var payload: String { "\(tenantID)|\(runID)|\(seq)" }

    /// Parses a payload (the tenant id is the text before the first `|`, the seq the text
    /// after the last one); `nil` when malformed.
    public init?(payload: String) {
        guard let first = payload.firstIndex(of: "|"), let last = payload.lastIndex(of: "|"), first < last,
            let seq = Int(payload[payload.index(after: last)...])
        else { return nil }
        self.init(
            tenantID: String(payload[..<first]), runID: String(payload[payload.index(after: first)..<last]), seq: seq)
    }
}
