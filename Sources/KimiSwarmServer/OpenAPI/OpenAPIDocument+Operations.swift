import KimiSwarmCore

extension OpenAPIDocument {
    typealias Reply = (status: Int, description: String, schema: String?, media: String)

    static func reply(_ status: Int, _ description: String, _ schema: String? = nil, media: String = "application/json") -> Reply {
        (status, description, schema, media)
    }

    static let noContent = reply(204, "Done.")
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
            tag: "operations", permission: .metricsRead, responses: [reply(200, "Prometheus text format.", "#text", media: "text/plain")]),
        Operation(
            method: "get", path: "/openapi.json", summary: "This document", tag: "operations",
            responses: [reply(200, "The OpenAPI 3.1 document.", "#json", media: "application/json")]),
    ]

    static let runOperations: [Operation] = [
        Operation(
            method: "post", path: "\(api)/runs", summary: "Start a run (202; `Idempotency-Key` makes retries safe)", tag: "runs",
            permission: .runsWrite, body: "RunCreate",
            responses: [reply(202, "Queued (or the earlier run of the same `Idempotency-Key`).", "Run")], errors: [429]),
        Operation(
            method: "post", path: "\(api)/runs/estimate", summary: "Estimate a run's calls and cost without starting it", tag: "runs",
            permission: .runsRead, body: "RunCreate", responses: [reply(200, "The estimate.", "RunEstimate")]),
        Operation(
            method: "get", path: "\(api)/runs", summary: "List runs, newest first", tag: "runs", permission: .runsRead,
            query: [
                query("status", "queued, running, succeeded, failed or cancelled."), query("template", "Runs of a template."),
                query("created_by", "Runs of a user."), query("q", "Search in the task."), query("from", "Created at or after."),
                query("to", "Created before."), query("limit", "1 to 200 (50).", schema: ["type": "integer"]),
                query("cursor", "The previous page's `next_cursor`."),
            ], responses: [reply(200, "A page of runs.", "RunPage")], errors: [400]),
        Operation(method: "get", path: "\(api)/runs/{id}", summary: "One run", tag: "runs", permission: .runsRead, responses: [reply(200, "The run.", "Run")]),
        Operation(
            method: "post", path: "\(api)/runs/{id}/cancel", summary: "Cancel a run", tag: "runs", permission: .runsWrite,
            responses: [reply(202, "Cancellation requested.", "Run")], errors: [409]),
        Operation(
            method: "post", path: "\(api)/runs/{id}/resume", summary: "Resume a failed or interrupted run from its journal", tag: "runs",
            permission: .runsWrite, responses: [reply(202, "Queued again.", "Run")], errors: [409]),
        Operation(
            method: "get", path: "\(api)/runs/{id}/result", summary: "A finished run's result (JSON, or Markdown with `format=markdown`)",
            tag: "runs", permission: .runsRead, query: [query("format", "`markdown` for a Markdown report.")],
            responses: [reply(200, "The result.", "RunResult")], errors: [409]),
        Operation(
            method: "get", path: "\(api)/runs/{id}/events", summary: "The run's live events (SSE; resume with `Last-Event-ID`)", tag: "runs",
            permission: .runsRead, query: [query("after", "Replay events after this id.")],
            responses: [reply(200, "Server-sent events.", "#sse", media: "text/event-stream")], errors: [400]),
        Operation(
            method: "get", path: "\(api)/runs/{id}/ws", summary: "The run's live events over a WebSocket (upgrade)", tag: "runs",
            permission: .runsRead, responses: [reply(101, "Switching to the WebSocket protocol.")]),
        Operation(
            method: "post", path: "\(api)/sessions",
            summary: "Exchange a user's credential for a short-lived session token (made from an API key, it has the key's role and ends with it); 404 when sessions are off",
            tag: "account", permission: .authenticated, responses: [reply(201, "The token.", "Session")], errors: [404, 422]),
    ]

    static let gatewayOperations: [Operation] = [
        Operation(
            method: "post", path: "/v1/chat/completions", summary: "OpenAI-compatible chat completion (streaming with `stream`)",
            tag: "gateway", permission: .gateway, body: "ChatCompletionRequest",
            responses: [reply(200, "The completion (or SSE chunks when streaming).", "ChatCompletion")], errors: [429, 502, 504]),
        Operation(
            method: "get", path: "/v1/models", summary: "Models the gateway serves", tag: "gateway", permission: .gateway,
            responses: [reply(200, "The models.", "ModelList")]),
        Operation(
            method: "post", path: "/v1/embeddings", summary: "OpenAI-compatible embeddings", tag: "gateway", permission: .gateway,
            body: "EmbeddingRequest", responses: [reply(200, "The embeddings.", "EmbeddingList")], errors: [429, 502, 504]),
    ]
}
