import KimiSwarmCore

extension OpenAPISchemas {
    /// Runs, operations and the OpenAI-compatible gateway.
    static var runSchemas: [String: JSONValue] {
        [
            "RunCreate": object(
                [
                    "task": string("What the swarm should do."),
                    "swarm": string("A ready-made swarm of the library to run instead of planning."),
                    "graph": ["type": "object", "description": "An explicit task graph instead of the planner's."],
                    "budgets": object(
                        [
                            "max_cost_usd": ["type": ["string", "number"]], "max_tokens": integer(), "max_wall_seconds": ["type": "number"],
                            "max_sub_agents": integer(), "concurrency": integer(), "max_tool_calls": integer(),
                        ], required: []),
                    "on_failure": ["type": "string", "description": "What a failed sub-task does to the run."],
                ], required: ["task"]),
            "Run": object(
                [
                    "id": string(), "status": ["type": "string", "enum": ["queued", "running", "succeeded", "failed", "cancelled"]],
                    "task": string(), "source": string(), "swarm": string(nullable: true), "budgets": ["description": "The run's budgets."],
                    "created_by": string(nullable: true), "api_key_id": string(nullable: true), "prompt_tokens": integer(),
                    "completion_tokens": integer(), "total_tokens": integer(), "cost_usd": money, "cancel_requested": boolean,
                    "created_at": time, "updated_at": time, "finished_at": nullableTime,
                    "links": ["type": "object", "additionalProperties": ["type": "string"]],
                    "estimate": ["type": "object", "description": "The admission estimate (only in the answer that created the run)."],
                ], required: ["id", "status", "task", "created_at"], additional: true),
            "RunPage": object(["data": ["type": "array", "items": ref("Run")], "next_cursor": string(nullable: true)]),
            "RunEstimate": [
                "type": "object", "description": "What a run would cost: agents, expected and maximum calls and cost.",
                "additionalProperties": true,
            ],
            "RunResult": object(
                ["run_id": string(), "status": string(), "result": ["description": "The synthesised result."]],
                required: ["run_id", "status"], additional: true),
            "Session": object([
                "token": string("An HS256 session token."), "token_type": ["type": "string", "enum": ["Bearer"]], "expires_at": time,
                "tenant_id": string(), "role": roles,
                "personal": ["type": "boolean", "description": "false when made from an API key: it then acts with the key's role and ends with the key."],
            ]),
            "Health": object(["status": ["type": "string", "enum": ["ok"]]]),
            "Ready": object(
                ["status": ["type": "string", "enum": ["ready", "not_ready"]], "checks": ["type": "object", "additionalProperties": true]]),
            "ChatCompletionRequest": object(
                [
                    "model": string("A model id (GET /v1/models lists them)."),
                    "messages": ["type": "array", "items": ["type": "object", "additionalProperties": true]],
                    "stream": boolean, "temperature": ["type": "number"], "top_p": ["type": "number"], "max_tokens": integer(),
                    "tools": ["type": "array", "items": ["type": "object", "additionalProperties": true]],
                    "tool_choice": ["description": "auto, none, required or a named tool."],
                    "stream_options": ["type": "object", "additionalProperties": true],
                ], required: ["model", "messages"], additional: true, description: "OpenAI's chat completion request."),
            "ChatCompletion": [
                "type": "object", "description": "OpenAI's chat completion (or, with `stream`, SSE `chat.completion.chunk` events).",
                "required": ["id", "object", "choices"], "additionalProperties": true,
                "properties": [
                    "id": ["type": "string"], "object": ["type": "string"], "created": ["type": "integer"], "model": ["type": "string"],
                    "choices": ["type": "array", "items": ["type": "object", "additionalProperties": true]],
                    "usage": ["type": "object", "additionalProperties": true],
                ],
            ],
            "ModelList": [
                "type": "object", "required": ["object", "data"], "additionalProperties": true,
                "properties": [
                    "object": ["type": "string", "enum": ["list"]],
                    "data": [
                        "type": "array",
                        "items": [
                            "type": "object", "required": ["id", "object"], "additionalProperties": true,
                            "properties": ["id": ["type": "string"], "object": ["type": "string"], "owned_by": ["type": "string"]],
                        ],
                    ],
                ],
            ],
            "EmbeddingRequest": object(
                [
                    "model": string(), "input": ["description": "A string or an array of strings.", "anyOf": [["type": "string"], ["type": "array", "items": ["type": "string"]]]],
                    "encoding_format": ["type": "string", "enum": ["float", "base64"]], "dimensions": integer(), "user": string(),
                ], required: ["model", "input"], additional: true),
            "EmbeddingList": [
                "type": "object", "required": ["object", "data"], "additionalProperties": true,
                "properties": [
                    "object": ["type": "string", "enum": ["list"]], "model": ["type": "string"],
                    "data": ["type": "array", "items": ["type": "object", "additionalProperties": true]],
                    "usage": ["type": "object", "additionalProperties": true],
                ],
            ],
        ]
    }
}
