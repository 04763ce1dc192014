import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import KimiSwarmCore
import KimiSwarmPlatform
import KimiSwarmEngine
import KimiSwarmStore
import Logging
import NIOCore
import ServiceLifecycle

/// `/api/v1/runs`: create (202 + id, `Idempotency-Key`), estimate, get, list, cancel,
/// resume, result (JSON and Markdown) and the live event stream (SSE with `Last-Event-ID`).
struct RunRoutes {
    let store: SwarmStore
    let factory: RunEngineFactory
    let hub: RunEventHub
    let admission: RunAdmission

    func register(_ api: APIRoutes) {
        api.on(.post, "runs", .runsWrite) { request, context, principal in try await create(request, context, principal) }
        api.on(.post, "runs/estimate", .runsRead) { request, context, principal in try await estimate(request, context, principal) }
        api.on(.get, "runs", .runsRead) { request, _, principal in try await list(request, principal) }
        api.on(.get, "runs/:id", .runsRead) { _, context, principal in
            try JSONBody.response(RunDTO(try await run(context, principal)))
        }
        api.on(.post, "runs/:id/cancel", .runsWrite) { _, context, principal in try await cancel(context, principal) }
        api.on(.post, "runs/:id/resume", .runsWrite) { _, context, principal in try await resume(context, principal) }
        api.on(.get, "runs/:id/result", .runsRead) { request, context, principal in try await result(request, context, principal) }
        api.on(.get, "runs/:id/events", .runsRead) { request, context, principal in try await events(request, context, principal) }
        // The WebSocket stream (RunWebSocketRoutes) answers upgrade requests; a plain GET gets a 426.
        api.on(.get, "runs/:id/ws", .runsRead) { _, context, principal -> Response in
            _ = try await run(context, principal)
            throw APIError(
                status: .init(code: 426), type: "invalid_request", message: "this route speaks WebSocket only",
                hint: "Connect with a WebSocket client (Upgrade: websocket), or use /events for Server-Sent Events.",
                headers: [.upgrade: "websocket"])
        }
    }

    private func run(_ context: AppRequestContext, _ principal: Principal) async throws -> RunRecord {
        let id = try context.parameters.require("id")
        guard let run = try await store.runs.run(tenantID: principal.tenantID, runID: id) else { throw APIError.notFound("run") }
        return run
    }

    private func parse(_ request: Request, _ context: AppRequestContext, _ principal: Principal) async throws -> (RunSpec, ByteBuffer, TemplateLibrary) {
        let body = try await JSONBody.bytes(request, context: context)
        let runRequest = try JSONBody.decode(RunRequest.self, from: body, allowedKeys: RunRequest.allowedKeys)
        let library = try await factory.library(tenantID: principal.tenantID, store: store)
        return (try runRequest.spec(library: library), body, library)
    }

    private func create(_ request: Request, _ context: AppRequestContext, _ principal: Principal) async throws -> Response {
        let idempotencyKey = request.headers[HTTPField.Name("Idempotency-Key")!]
        if let idempotencyKey, !(1...255).contains(idempotencyKey.utf8.count) {
            throw APIError.invalidRequest("`Idempotency-Key` must be 1 to 255 characters", hint: "Use a UUID.")
        }
        let (requested, body, library) = try await parse(request, context, principal)
        let requestHash = SHA256.hash(data: Data(body.readableBytesView)).map { String(format: "%02x", $0) }.joined()
        if let idempotencyKey, let existing = try await store.runs.run(tenantID: principal.tenantID, idempotencyKey: idempotencyKey) {
            return try replay(existing, requestHash: requestHash)
        }
        let (spec, estimate) = try await admission.admit(requested, principal: principal, library: library)
        let id = SwarmEngine.newRunID()
        let submission = RunSubmission(
            tenantID: principal.tenantID, id: id, task: spec.task, templateID: Self.templateID(of: spec), createdBy: principal.userID,
            apiKeyID: principal.apiKeyID, spec: String(decoding: try JSONEncoder.sorted.encode(spec), as: UTF8.self),
            budgets: Self.budgetsJSON(spec.limits), idempotencyKey: idempotencyKey, requestHash: idempotencyKey == nil ? nil : requestHash,
            jobPayload: RunJobPayload(tenantID: principal.tenantID, runID: id).text, queue: RunJobPayload.queue)
        switch try await store.runs.submit(submission) {
        case .created(let run):
            context.logger.info("run queued", metadata: ["run_id": "\(run.id)"])
            return try JSONBody.response(
                CreatedRunDTO(run: RunDTO(run), estimate: RunEstimateDTO(estimate)), status: .accepted,
                headers: [.location: "/api/v1/runs/\(run.id)"])
        case .existing(let run), .idempotencyConflict(let run):
            return try replay(run, requestHash: requestHash)
        }
    }

    private func replay(_ run: RunRecord, requestHash: String) throws -> Response {
        guard run.requestHash == nil || run.requestHash == requestHash else {
            throw APIError.unprocessable(
                "this Idempotency-Key was used with a different request body",
                hint: "Use a new key for a different run, or send exactly the same body to get the first run back.")
        }
        return try JSONBody.response(
            RunDTO(run), status: .accepted, headers: [.location: "/api/v1/runs/\(run.id)", HTTPField.Name("Idempotent-Replayed")!: "true"])
    }

    private func estimate(_ request: Request, _ context: AppRequestContext, _ principal: Principal) async throws -> Response {
        let (spec, _, library) = try await parse(request, context, principal)
        return try JSONBody.response(RunEstimateDTO(try await admission.estimate(spec, principal: principal, library: library)))
    }

    private func list(_ request: Request, _ principal: Principal) async throws -> Response {
        let query = request.uri.queryParameters
        var filter = RunFilter()
        if let status = query["status"].map(String.init) {
            guard let value = KimiSwarmStore.RunStatus(rawValue: status) else {
                throw APIError.invalidRequest(
                    "unknown status `\(status)`", hint: "Use one of: \(KimiSwarmStore.RunStatus.allCases.map(\.rawValue).joined(separator: ", ")).", param: "status")
            }
            filter.status = value
        }
        filter.templateID = query["template"].map(String.init)
        filter.createdBy = query["created_by"].map(String.init)
        filter.search = query["q"].map(String.init)
        if let from = query["from"].map(String.init) {
            guard let date = ISO8601.date(from) else { throw APIError.invalidRequest("`from` is not a date", hint: "Use 2026-12-01 or an ISO 8601 time.", param: "from") }
            filter.createdFrom = date
        }
        if let to = query["to"].map(String.init) {
            guard let date = ISO8601.date(to) else { throw APIError.invalidRequest("`to` is not a date", hint: "Use 2026-12-31 or an ISO 8601 time.", param: "to") }
            filter.createdTo = date
        }
        var limit = 50
        if let text = query["limit"].map(String.init) {
            guard let value = Int(text), (1...200).contains(value) else {
                throw APIError.invalidRequest("`limit` must be 1 to 200", hint: "Page with `cursor` instead.", param: "limit")
            }
            limit = value
        }
        var cursor: RunCursor?
        if let text = query["cursor"].map(String.init) {
            guard let value = RunCursor(encoded: text) else {
                throw APIError.invalidRequest("`cursor` is not valid", hint: "Pass the `next_cursor` of the previous page unchanged.", param: "cursor")
            }
            cursor = value
        }
        let runs = try await store.runs.listRuns(tenantID: principal.tenantID, filter: filter, after: cursor, limit: limit + 1)
        let page = Array(runs.prefix(limit))
        let next = runs.count > limit ? page.last.map { RunCursor(createdAt: $0.createdAt, id: $0.id).encoded } : nil
        return try JSONBody.response(RunPage(data: page.map(RunDTO.init), nextCursor: next))
    }

    private func cancel(_ context: AppRequestContext, _ principal: Principal) async throws -> Response {
        let id = try context.parameters.require("id")
        switch try await store.runs.requestCancel(tenantID: principal.tenantID, runID: id) {
        case .notFound:
            throw APIError.notFound("run")
        case .alreadyFinished(let run):
            throw APIError.conflict("the run already ended (\(run.status.rawValue))", hint: "Nothing to cancel.")
        case .cancelledQueued(let run), .cancelRequested(let run):
            hub.signal(tenantID: principal.tenantID, runID: id)
            return try JSONBody.response(RunDTO(run), status: .accepted)
        }
    }

    private func resume(_ context: AppRequestContext, _ principal: Principal) async throws -> Response {
        let id = try context.parameters.require("id")
        let payload = RunJobPayload(tenantID: principal.tenantID, runID: id).text
        switch try await store.runs.prepareResume(tenantID: principal.tenantID, runID: id, jobPayload: payload) {
        case .notFound:
            throw APIError.notFound("run")
        case .notResumable(let run):
            throw APIError.conflict(
                "a \(run.status.rawValue) run cannot be resumed", hint: "Only failed or cancelled runs resume; finished steps are not paid again.")
        case .resumed(let run):
            hub.signal(tenantID: principal.tenantID, runID: id)
            return try JSONBody.response(RunDTO(run), status: .accepted)
        }
    }

    private func result(_ request: Request, _ context: AppRequestContext, _ principal: Principal) async throws -> Response {
        let run = try await run(context, principal)
        guard run.status.isFinal else {
            throw APIError.conflict(
                "the run is \(run.status.rawValue); it has no result yet", hint: "Watch GET /api/v1/runs/\(run.id)/events, then ask again.")
        }
        let result = run.result.flatMap { try? JSONDecoder().decode(RunResult.self, from: Data($0.utf8)) }
        let wantsMarkdown =
            request.uri.queryParameters["format"] == "markdown"
            || (request.headers[.accept]?.contains("text/markdown") ?? false)
        if wantsMarkdown {
            let markdown = RunMarkdown.render(run: run, result: result)
            return Response(
                status: .ok, headers: [.contentType: "text/markdown; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: markdown)))
        }
        var object: [String: JSONValue] = ["run_id": .string(run.id), "status": .string(run.status.rawValue)]
        if let text = run.result, let value = try? JSONValue(parsing: text) { object["result"] = value }
        return try JSONBody.response(JSONValue.object(object))
    }

    /// `text/event-stream`: every stored event after `Last-Event-ID` (or `?after=`), then live
    /// ones, until the run has ended and everything was sent. A comment line every 15 s keeps
    /// proxies from closing an idle stream.
    private func events(_ request: Request, _ context: AppRequestContext, _ principal: Principal) async throws -> Response {
        let run = try await run(context, principal)
        var start = 0
        // Both are checked when both are sent; the header wins.
        let given = [("after", request.uri.queryParameters["after"].map(String.init)), ("Last-Event-ID", request.headers[HTTPField.Name("Last-Event-ID")!])]
        for case let (name, text?) in given {
            guard text.utf8.allSatisfy({ (48...57).contains($0) }), let value = Int(text) else {
                throw APIError.invalidRequest("`\(name)` must be an event id (a number)", hint: "Send the `id:` of the last event received.", param: name)
            }
            start = value
        }
        let after = start
        let store = self.store
        let hub = self.hub
        let tenantID = principal.tenantID
        let runID = run.id
        let body = ResponseBody { writer in
            var cursor = after
            var lastWrite = ContinuousClock.now
            // Graceful shutdown ends the stream (within the 2 s wait); the client reconnects
            // to another replica with Last-Event-ID and misses nothing.
            writeLoop: while !Task.isCancelled && !Task.isShuttingDownGracefully {
                let generation = hub.generation(tenantID: tenantID, runID: runID)
                let batch = try await store.events.events(tenantID: tenantID, runID: runID, afterSeq: cursor, limit: 500)
                if !batch.isEmpty {
                    var buffer = ByteBuffer()
                    for event in batch {
                        buffer.writeString("id: \(event.seq)\nevent: \(event.type)\ndata: \(event.data)\n\n")
                        cursor = event.seq
                    }
                    try await writer.write(buffer)
                    lastWrite = .now
                    if batch.count == 500 { continue }
                }
                let current = try await store.runs.run(tenantID: tenantID, runID: runID)
                if let current, current.status.isFinal {
                    let rest = try await store.events.events(tenantID: tenantID, runID: runID, afterSeq: cursor, limit: 500)
                    if rest.isEmpty { break writeLoop }
                    continue
                }
                if current == nil { break writeLoop }
                if ContinuousClock.now - lastWrite > .seconds(15) {
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    lastWrite = .now
                }
                await hub.wait(tenantID: tenantID, runID: runID, after: generation, timeout: .seconds(2))
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no"],
            body: body)
    }

    /// What runs and their usage are grouped by as their "template": the ready-made swarm's
    /// id, or `planner` / `graph` for the other sources.
    static func templateID(of spec: RunSpec) -> String {
        switch spec.source {
        case .planner: return "planner"
        case .swarm(let id): return id
        case .graph: return "graph"
        }
    }

    static func budgetsJSON(_ limits: RunLimits) -> String {
        var object: [String: JSONValue] = [
            "max_sub_agents": .int(limits.maxSubAgents), "concurrency": .int(limits.concurrency), "max_tool_calls": .int(limits.maxToolCalls),
            "on_failure": .string(limits.failurePolicy.rawValue),
        ]
        if let value = limits.maxCostUSD { object["max_cost_usd"] = .string("\(value)") }
        if let value = limits.maxTokens { object["max_tokens"] = .int(value) }
        if let value = limits.maxWallSeconds { object["max_wall_seconds"] = .double(value) }
        return JSONValue.object(object).canonicalText
    }
}

/// One page of runs.
struct RunPage: Encodable {
    var data: [RunDTO]
    var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case data
        case nextCursor = "next_cursor"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(data, forKey: .data)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}
