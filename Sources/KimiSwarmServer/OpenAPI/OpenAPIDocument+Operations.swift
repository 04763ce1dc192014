import KimiSwarmCore
import KimiSwarmPlatform
import KimiSwarmStore

extension OpenAPIDocument {
    static let api = "/api/v1"

    /// Every operation the server answers.
    static var operations: [Operation] { operationsRoutes + runOperations + adminOperations + gatewayOperations }

    static let operationsRoutes: [Operation] = [
        Operation(method: "get", path: "/health", summary: "The process answers", tag: "operations", responses: [reply(200, "Alive.", "Health")]),
        Operation(
            method: "get", path: "/ready", summary: "Database, migrations, workers and provider circuits", tag: "operations",
            responses: [reply(200, "Ready.", "Ready"), reply(503, "Not ready.", "Ready")]),
        Operation(
            method: "get", path: "/metrics", summary: "Prometheus metrics (the metrics token, KIMISWARM_METRICS_TOKEN, or a super admin's credential)",
            tag: "operations", permission: .metricsRead,
            responses: [reply(200, "Prometheus text format.", media: "text/plain", schema: ["type": "string"])]),
        Operation(
            method: "get", path: "/openapi.json", summary: "This document", tag: "operations",
            responses: [reply(200, "The OpenAPI 3.1 document.", media: "application/json", schema: ["type": "object"])]),
    ]

    /// Where a created run leads.
    static let runLinks: [String: JSONValue] = [
        "GetRun": link("get", "\(api)/runs/{id}", ["id": "$response.body#/id"]),
        "CancelRun": link("post", "\(api)/runs/{id}/cancel", ["id": "$response.body#/id"]),
        "ResumeRun": link("post", "\(api)/runs/{id}/resume", ["id": "$response.body#/id"]),
        "GetRunResult": link("get", "\(api)/runs/{id}/result", ["id": "$response.body#/id"]),
        "GetRunEvents": link("get", "\(api)/runs/{id}/events", ["id": "$response.body#/id"]),
    ]

    static let runOperations: [Operation] = [
        Operation(
            method: "post", path: "\(api)/runs", summary: "Start a run (202; `Idempotency-Key` makes retries safe)", tag: "runs",
            permission: .runsWrite,
            query: [
                header(
                    "Idempotency-Key", "Makes retries safe: the same key and body answer the first run again (another body: 422).",
                    schema: ["type": "string", "minLength": 1, "maxLength": 255])
            ], body: "RunCreate",
            responses: [
                reply(
                    202, "Queued (or the earlier run of the same `Idempotency-Key`).", "Run",
                    headers: [("Location", true), ("Idempotent-Replayed", false)], links: runLinks)
            ], errors: [429]),
        Operation(
            method: "post", path: "\(api)/runs/estimate", summary: "Estimate a run's calls and cost without starting it", tag: "runs",
            permission: .runsRead, body: "RunCreate", responses: [reply(200, "The estimate.", "RunEstimate")]),
        Operation(
            method: "get", path: "\(api)/runs", summary: "List runs, newest first", tag: "runs", permission: .runsRead,
            query: [
                query("status", "Runs in this state.", schema: ["type": "string", "enum": .array(KimiSwarmStore.RunStatus.allCases.map { .string($0.rawValue) })]),
                query("template", "Runs of a template (a swarm's id, `planner` or `graph`)."),
                query("created_by", "Runs of a user."), query("q", "Search in the task."),
                query("from", "Created at or after (a date or an ISO 8601 time).", schema: OpenAPISchemas.dateOrTime),
                query("to", "Created before (a date or an ISO 8601 time).", schema: OpenAPISchemas.dateOrTime),
                query("limit", "Runs per page (50).", schema: OpenAPISchemas.integer(1...200)),
                query("cursor", "The previous page's `next_cursor`."),
            ], responses: [reply(200, "A page of runs.", "RunPage")]),
        Operation(method: "get", path: "\(api)/runs/{id}", summary: "One run", tag: "runs", permission: .runsRead, responses: [reply(200, "The run.", "Run")]),
        Operation(
            method: "post", path: "\(api)/runs/{id}/cancel", summary: "Cancel a run", tag: "runs", permission: .runsWrite,
            responses: [reply(202, "Cancellation requested.", "Run")], errors: [409]),
        Operation(
            method: "post", path: "\(api)/runs/{id}/resume", summary: "Resume a failed or cancelled run from its journal", tag: "runs",
            permission: .runsWrite, responses: [reply(202, "Queued again.", "Run")], errors: [409]),
        Operation(
            method: "get", path: "\(api)/runs/{id}/result", summary: "A finished run's result (JSON, or Markdown with `format=markdown`)",
            tag: "runs", permission: .runsRead,
            query: [query("format", "`markdown` for a Markdown report (or `Accept: text/markdown`); anything else: JSON.")],
            responses: [
                Reply(
                    status: 200, description: "The result.",
                    content: [("application/json", OpenAPISchemas.ref("RunResult")), ("text/markdown", ["type": "string"])])
            ], errors: [409]),
        Operation(
            method: "get", path: "\(api)/runs/{id}/events", summary: "The run's live events (SSE; resume with `Last-Event-ID`)", tag: "runs",
            permission: .runsRead,
            query: [
                query("after", "Replay events after this id.", schema: OpenAPISchemas.integer(0...Int.max)),
                header("Last-Event-ID", "Replay events after this id (wins over `after`).", schema: ["type": "string", "pattern": "^[0-9]+$"]),
            ],
            responses: [
                reply(
                    200, "Server-sent events until the run has ended and every event was sent; each described by the schema.",
                    media: "text/event-stream", schema: OpenAPISchemas.ref("RunEventMessage"))
            ]),
        Operation(
            method: "get", path: "\(api)/runs/{id}/ws", summary: "The run's live events over a WebSocket (upgrade; a plain GET is a 426)", tag: "runs",
            permission: .runsRead, responses: [reply(101, "Switching to the WebSocket protocol.")], errors: [426]),
        Operation(
            method: "post", path: "\(api)/sessions",
            summary: "Exchange a user's credential for a short-lived session token (made from an API key, it has the key's role and ends with it); 404 when sessions are off",
            tag: "account", permission: .authenticated, responses: [reply(201, "The token.", "Session")], errors: [422]),
    ]

    static let gatewayOperations: [Operation] = [
        Operation(
            method: "post", path: "/v1/chat/completions", summary: "OpenAI-compatible chat completion (streaming with `stream`)",
            tag: "gateway", permission: .gateway, body: "ChatCompletionRequest",
            responses: [
                Reply(
                    status: 200, description: "The completion, or with `stream: true` server-sent `chat.completion.chunk` events ending with `[DONE]`.",
                    content: [("application/json", OpenAPISchemas.ref("ChatCompletion")), ("text/event-stream", OpenAPISchemas.ref("ChatCompletionChunkMessage"))])
            ], errors: [404, 429, 502, 504]),
        Operation(
            method: "get", path: "/v1/models", summary: "Models the gateway serves", tag: "gateway", permission: .gateway,
            responses: [reply(200, "The models.", "ModelList")]),
        Operation(
            method: "post", path: "/v1/embeddings", summary: "OpenAI-compatible embeddings", tag: "gateway", permission: .gateway,
            body: "EmbeddingRequest", responses: [reply(200, "The embeddings.", "EmbeddingList")], errors: [404, 429, 502, 504]),
    ]
}
