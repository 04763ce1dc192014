import KimiSwarmCore
import KimiSwarmPlatform
import KimiSwarmEngine
import KimiSwarmStore

extension OpenAPISchemas {
    /// Runs: the body that starts one (with the bounds ``RunRequest`` and ``RunLimits`` check)
    /// and the answers about them, events included.
    static var runSchemas: [String: JSONValue] {
        typealias Bounds = RunLimits.Bounds
        let policies: JSONValue = ["type": "string", "enum": .array(FailurePolicy.allCases.map { .string($0.rawValue) })]
        let example: JSONValue = [
            "task": "Review the sign-in flow of our web shop for security problems", "on_failure": "retry",
            "budgets": [
                "max_cost_usd": "1.50", "max_tokens": 20_000, "max_wall_seconds": 600, "max_sub_agents": 4, "concurrency": 2, "max_tool_calls": 50,
            ],
        ]
        guard
            case .object(var create) = body(
                [
                    "task": text(
                        "What the swarm should do: at least one character that is not a space, at most \(RunRequest.maxTaskBytes) bytes of UTF-8.",
                        minLength: 1, maxLength: RunRequest.maxTaskBytes, pattern: "\\S"),
                    "swarm": nullable(string("A ready-made swarm of the server's library to run instead of planning (an unknown one is a 422).")),
                    "graph": nullable(ref("TaskGraph")),
                    "budgets": nullable(ref("RunBudgets")),
                    "on_failure": nullable(policies),
                ], required: ["task"], example: example,
                description: "A run: the planner decides its sub-tasks, or `swarm` names a ready-made swarm, or `graph` gives them (not both).")
        else { return [:] }
        create["not"] = ["required": ["swarm", "graph"], "properties": ["swarm": ["type": "string"], "graph": ["type": "object"]]]
        return [
            "RunCreate": .object(create),
            "RunBudgets": object(
                [
                    "max_cost_usd": nullable(positiveMoney(atMost: Bounds.maxCostUSD, "Most spend in US dollars.")),
                    "max_tokens": nullable(integer(Bounds.maxTokens, "Most tokens (input plus output) over the run.")),
                    "max_wall_seconds": nullable(number(above: 0, atMost: Bounds.maxWallSeconds, "Most wall time, in seconds.")),
                    "max_sub_agents": nullable(integer(Bounds.maxSubAgents, "Most sub-agents (also caps a graph's tasks).")),
                    "concurrency": nullable(integer(Bounds.concurrency, "Most sub-agents at once.")),
                    "max_tool_calls": nullable(integer(Bounds.maxToolCalls, "Most tool calls over the run.")),
                ], required: [], description: "A run's budgets; null or absent: the default. Another field is a 422."),
            "TaskGraph": object(
                [
                    "tasks": [
                        "type": "array", "minItems": 1, "maxItems": .int(Bounds.maxSubAgents.upperBound), "items": ref("SubTask"),
                        "description": "The sub-tasks: unique ids, known templates, dependencies on other tasks of the graph, no cycle; at most `budgets.max_sub_agents`.",
                    ],
                    "synthesis_instructions": nullable(string("Extra instructions for the synthesis.")),
                ], required: ["tasks"], additional: true),
            "SubTask": object(
                [
                    "id": text(pattern: "^[a-zA-Z0-9][a-zA-Z0-9_-]{0,63}$"),
                    "template": string("The agent template that runs it (`GET /api/v1/templates`)."),
                    "instructions": text("What this sub-agent must do.", minLength: 1, pattern: "\\S"),
                    "expected_output": nullable(string()),
                    "depends_on": nullable([
                        "type": "array", "items": ["type": "string"],
                        "maxItems": .int(GraphValidator(knownTemplates: [], maxTasks: 0).maxDependencies),
                    ]),
                    "on_failure": nullable(policies),
                ], required: ["id", "template", "instructions"], additional: true),
            "Run": object(
                [
                    "id": string(), "status": ["type": "string", "enum": .array(KimiSwarmStore.RunStatus.allCases.map { .string($0.rawValue) })],
                    "task": string(), "source": ["type": "string", "enum": ["planner", "swarm", "graph"]],
                    "swarm": string("The ready-made swarm (only for `source: swarm`)."), "budgets": ["type": "object", "description": "The run's budgets."],
                    "created_by": string("The user who started it (absent for none)."), "api_key_id": string("The key that started it (absent for none)."),
                    "prompt_tokens": integer(), "completion_tokens": integer(), "total_tokens": integer(), "cost_usd": money,
                    "cancel_requested": boolean, "created_at": time, "updated_at": time, "finished_at": time,
                    "links": object(["self": string(), "events": string(), "result": string(), "websocket": string()]),
                    "estimate": ref("RunEstimate"),
                ],
                required: [
                    "id", "status", "task", "source", "prompt_tokens", "completion_tokens", "total_tokens", "cost_usd", "cancel_requested",
                    "created_at", "updated_at", "links",
                ], description: "A run. `estimate` is only in the answer that created it."),
            "RunPage": object(["data": ["type": "array", "items": ref("Run")], "next_cursor": string(nullable: true)]),
            "RunEstimate": object(
                [
                    "agents": integer("Sub-agents the run would start."), "expected_calls": integer(), "maximum_calls": integer(),
                    "expected_cost_usd": money, "maximum_cost_usd": money, "prices_known": boolean,
                ], description: "What a run would cost: agents, expected and maximum calls and cost."),
            "RunResult": object(
                [
                    "run_id": string(), "status": ["type": "string", "enum": .array(KimiSwarmStore.RunStatus.allCases.filter(\.isFinal).map { .string($0.rawValue) })],
                    "result": ["description": "The synthesised result (absent when the run left none)."],
                ], required: ["run_id", "status"]),
            "RunEventMessage": object(
                [
                    "id": text("The event's sequence number (send it back as `Last-Event-ID`).", pattern: "^[0-9]+$"),
                    "event": [
                        "type": "string",
                        "enum": [
                            "started", "planned", "agent_started", "token_delta", "tool_call", "tool_result", "agent_finished", "agent_failed",
                            "cost_update", "budget_warning", "synthesis_started", "finished",
                        ],
                    ],
                    "data": ["type": "string", "contentMediaType": "application/json", "description": "The event's fields, a JSON object."],
                ], required: ["id", "event", "data"], description: "One server-sent event of a run's stream."),
            "Session": object([
                "token": string("An HS256 session token."), "token_type": ["type": "string", "enum": ["Bearer"]], "expires_at": time,
                "tenant_id": string(), "role": roles,
                "personal": ["type": "boolean", "description": "false when made from an API key: it then acts with the key's role and ends with the key."],
            ]),
            "Health": object(["status": ["type": "string", "enum": ["ok"]]]),
            "Ready": object(
                ["status": ["type": "string", "enum": ["ready", "not_ready"]], "checks": ["type": "object", "additionalProperties": true]]),
        ]
    }
}
