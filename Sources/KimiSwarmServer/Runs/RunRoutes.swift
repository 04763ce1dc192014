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

/// `/api/v1/runs`: create (202 + id, `Idempotency-Key`), estimate, get, list, cancel,
/// resume, result (JSON and Markdown) and the live event stream (SSE with `Last-Event-ID`).
/// Each route decodes, calls the ``RunService``, and encodes.
struct RunRoutes {
    let service: RunService

    func register(_ api: APIRoutes) {
        api.on(.post, "runs", .runsWrite) { request, context, principal in try await create(request, context, principal) }
        api.on(.post, "runs/estimate", .runsRead) { request, context, principal in try await estimate(request, context, principal) }
        api.on(.get, "runs", .runsRead) { request, _, principal in try await list(request, principal) }
        api.on(.get, "runs/:id", .runsRead) { _, context, principal in
            try JSONBody.response(RunDTO(try await service.run(principal, id: context.parameters.require("id"))))
        }
        api.on(.post, "runs/:id/cancel", .runsWrite) { _, context, principal in
            try JSONBody.response(RunDTO(try await service.cancel(principal, id: context.parameters.require("id"))), status: .accepted)
        }
        api.on(.post, "runs/:id/resume", .runsWrite) { _, context, principal in
            try JSONBody.response(RunDTO(try await service.resume(principal, id: context.parameters.require("id"))), status: .accepted)
        }
        api.on(.get, "runs/:id/result", .runsRead) { request, context, principal in try await result(request, context, principal) }
        api.on(.get, "runs/:id/events", .runsRead) { request, context, principal in try await events(request, context, principal) }
        // The WebSocket stream (RunWebSocketRoutes) answers upgrade requests; a plain GET gets a 426.
        api.on(.get, "runs/:id/ws", .runsRead) { _, context, principal -> Response in
            _ = try await service.run(principal, id: context.parameters.require("id"))
            throw APIError(
                status: .init(code: 426), type: "invalid_request", message: "this route speaks WebSocket only",
                hint: "Connect with a WebSocket client (Upgrade: websocket), or use /events for Server-Sent Events.",
                headers: [.upgrade: "websocket"])
        }
    }

    private func parse(_ request: Request, _ context: AppRequestContext, _ principal: Principal) async throws -> (RunSpec, ByteBuffer, TemplateLibrary) {
        let body = try await JSONBody.bytes(request, context: context)
        let runRequest = try JSONBody.decode(RunRequest.self, from: body, allowedKeys: RunRequest.allowedKeys)
        let library = try await service.library(tenantID: principal.tenantID)
        return (try runRequest.spec(defaults: service.defaultLimits), body, library)
    }

    private func create(_ request: Request, _ context: AppRequestContext, _ principal: Principal) async throws -> Response {
        let idempotencyKey = request.headers[HTTPField.Name("Idempotency-Key")!]
        if let idempotencyKey, !(1...255).contains(idempotencyKey.utf8.count) {
            throw APIError.invalidRequest("`Idempotency-Key` must be 1 to 255 characters", hint: "Use a UUID.")
        }
        let (requested, body, library) = try await parse(request, context, principal)
        let requestHash = SHA256.hash(data: Data(body.readableBytesView)).map { String(format: "%02x", $0) }.joined()
        switch try await service.submit(requested, principal: principal, library: library, idempotencyKey: idempotencyKey, requestHash: requestHash) {
        case .created(let run, let estimate):
            context.logger.info("run queued", metadata: ["run_id": "\(run.id)"])
            return try JSONBody.response(
                CreatedRunDTO(run: RunDTO(run), estimate: RunEstimateDTO(estimate)), status: .accepted, headers: [.location: "/api/v1/runs/\(run.id)"])
        case .replayed(let run):
            return try JSONBody.response(
                RunDTO(run), status: .accepted, headers: [.location: "/api/v1/runs/\(run.id)", HTTPField.Name("Idempotent-Replayed")!: "true"])
        }
    }

    private func estimate(_ request: Request, _ context: AppRequestContext, _ principal: Principal) async throws -> Response {
        let (spec, _, library) = try await parse(request, context, principal)
        return try JSONBody.response(RunEstimateDTO(try await service.estimate(spec, principal: principal, library: library)))
    }

    private func list(_ request: Request, _ principal: Principal) async throws -> Response {
        let query = request.uri.queryParameters
        var filter = RunFilter()
        if let status = query["status"].map(String.init) {
            guard let value = RunStatus(rawValue: status) else {
                throw APIError.invalidRequest(
                    "unknown status `\(status)`", hint: "Use one of: \(RunStatus.allCases.map(\.rawValue).joined(separator: ", ")).", param: "status")
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
        let (page, next) = try await service.list(principal, filter: filter, after: cursor, limit: limit)
        return try JSONBody.response(RunPage(data: page.map(RunDTO.init), nextCursor: next))
    }

    private func result(_ request: Request, _ context: AppRequestContext, _ principal: Principal) async throws -> Response {
        let (run, result) = try await service.result(principal, id: context.parameters.require("id"))
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
        let run = try await service.run(principal, id: context.parameters.require("id"))
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
        let reader = service.eventReader
        let tenantID = principal.tenantID
        let runID = run.id
        let clock = service.clock
        let body = ResponseBody { writer in
            var lastWrite = clock.now()
            try await reader.follow(
                tenantID: tenantID, runID: runID, after: after,
                idle: {
                    if clock.now() - lastWrite > .seconds(15) {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        lastWrite = clock.now()
                    }
                },
                deliver: { batch in
                    var buffer = ByteBuffer()
                    for event in batch { buffer.writeString(event.serverSentEvent) }
                    try await writer.write(buffer)
                    lastWrite = clock.now()
                })
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no"],
            body: body)
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
