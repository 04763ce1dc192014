import KimiSwarmCore
import KimiSwarmPlatform

extension OpenAPISchemas {
    /// The OpenAI-compatible gateway: its request bodies with the ranges
    /// ``GatewayChatRequest`` checks, and its answers. Fields OpenAI has that the gateway does
    /// not read are allowed and ignored; the fields that would pick a destination or
    /// credentials are refused (400).
    static var gatewaySchemas: [String: JSONValue] {
        let bytes256: JSONValue = text("At most 256 bytes of UTF-8.", maxLength: 256)
        let stopText = text(nil, minLength: 1, maxLength: 256)
        return [
            "ChatCompletionRequest": [
                "type": "object", "description": "OpenAI's chat completion request.", "required": ["messages"], "additionalProperties": true,
                "propertyNames": ["not": ["enum": .array(GatewayChatRequest.refusedFields.sorted().map(JSONValue.string))]],
                "examples": [
                    [
                        "model": "kimi-k2.5", "messages": [["role": "user", "content": "Say hello."]], "temperature": 0.6, "top_p": 0.95,
                        "max_tokens": 64, "presence_penalty": 0, "frequency_penalty": 0, "seed": 7, "n": 1,
                        "thinking": ["type": "enabled", "budgetTokens": 1024],
                    ]
                ],
                "properties": [
                    "model": nullable(text("A model id (GET /v1/models lists them); default: the default provider's model. At most 256 bytes.", maxLength: 256)),
                    "messages": [
                        "type": "array", "minItems": 1, "maxItems": .int(GatewayChatRequest.maxMessages), "items": ref("ChatMessageInput"),
                    ],
                    "stream": nullable(boolean),
                    "stream_options": nullable(object(["include_usage": nullable(boolean)], required: [], additional: true)),
                    "temperature": nullable(number(GatewayChatRequest.temperatureRange)),
                    "top_p": nullable(number(0...1)),
                    "max_tokens": nullable(integer(GatewayChatRequest.maxTokensRange)),
                    "max_completion_tokens": nullable(integer(GatewayChatRequest.maxTokensRange, "Wins over `max_tokens`.")),
                    "presence_penalty": nullable(number(-2...2)),
                    "frequency_penalty": nullable(number(-2...2)),
                    "seed": nullable(integer(Int.min...Int.max)),
                    "n": ["type": ["integer", "null"], "enum": [1, nil], "description": "Only 1."],
                    "user": nullable(bytes256),
                    "reasoning_effort": nullable(string()),
                    "parallel_tool_calls": nullable(boolean),
                    "stop": [
                        "description": "1 to 4 non-empty stop sequences of at most 256 bytes.",
                        "anyOf": [stopText, ["type": "array", "maxItems": 4, "items": stopText], ["type": "null"]],
                    ],
                    "tools": nullable(["type": "array", "maxItems": .int(GatewayChatRequest.maxTools), "items": ref("ToolInput")]),
                    "tool_choice": [
                        "description": "auto, none, required (or any), a tool's name, or `{\"function\": {\"name\"}}`.",
                        "anyOf": [
                            ["type": "string"], ["type": "object", "required": ["function"], "properties": ["function": object(["name": string()], additional: true)]],
                            ["type": "object", "required": ["name"], "properties": ["name": string()]], ["type": "null"],
                        ],
                    ],
                    "response_format": nullable(ref("ResponseFormat")),
                    "thinking": [
                        "description": "Kimi's thinking switch: `{\"type\": \"enabled\", \"budgetTokens\": n}` or `{\"type\": \"disabled\"}`.",
                        "anyOf": [
                            object(["type": ["const": "enabled"], "budgetTokens": nullable(integer(Int.min...Int.max))], required: ["type"], additional: true),
                            object(["type": ["const": "disabled"]], required: ["type"], additional: true),
                            ["type": "null"],
                        ],
                    ],
                ],
            ],
            "ChatMessageInput": [
                "type": "object", "required": ["role"], "additionalProperties": true,
                "properties": [
                    "role": ["type": "string", "enum": ["system", "developer", "user", "assistant", "tool"]],
                    "content": ["anyOf": [["type": "string"], ["type": "array", "items": ref("ContentPart")], ["type": "null"]]],
                    "tool_calls": nullable([
                        "type": "array", "description": "An assistant's tool calls.",
                        "items": [
                            "type": "object", "required": ["id", "function"],
                            "properties": ["id": string(), "function": object(["name": string()], additional: true)],
                        ],
                    ]),
                ],
                "allOf": [
                    [
                        "if": ["properties": ["role": ["not": ["const": "assistant"]]]],
                        "then": ["required": ["content"], "properties": ["content": ["not": ["type": "null"]]]],
                    ],
                    [
                        "if": ["properties": ["role": ["const": "tool"]]],
                        "then": ["required": ["tool_call_id"], "properties": ["tool_call_id": text(minLength: 1)]],
                    ],
                ],
                "description": "A message: `content` is required but for an assistant's; a tool's answer needs `tool_call_id`.",
            ],
            "ContentPart": [
                "type": "object", "required": ["type"], "additionalProperties": true,
                "properties": ["type": ["type": "string", "enum": ["text", "image_url", "image"]]],
                "allOf": [
                    ["if": ["properties": ["type": ["const": "text"]]], "then": ["required": ["text"], "properties": ["text": string()]]],
                    [
                        "if": ["properties": ["type": ["enum": ["image_url", "image"]]]],
                        "then": [
                            "required": ["image_url"],
                            "properties": [
                                "image_url": object(
                                    ["url": string("A URL or a `data:` URL."), "detail": ["type": ["string", "null"], "enum": ["auto", "low", "high", nil]]],
                                    required: ["url"], additional: true)
                            ],
                        ],
                    ],
                ],
            ],
            "ToolInput": [
                "type": "object", "required": ["function"], "additionalProperties": true,
                "properties": [
                    "type": ["description": "`function` (the default)."],
                    "function": [
                        "type": "object", "required": ["name"], "additionalProperties": true,
                        "properties": ["name": text(pattern: "^[a-zA-Z0-9_-]{1,64}$")],
                    ],
                ],
                "anyOf": [["not": ["required": ["type"]]], ["properties": ["type": ["not": ["type": "string"]]]], ["properties": ["type": ["const": "function"]]]],
            ],
            "ResponseFormat": [
                "type": "object", "required": ["type"], "additionalProperties": true,
                "properties": ["type": ["type": "string", "enum": ["text", "json_object", "json_schema"]]],
                "if": ["properties": ["type": ["const": "json_schema"]]],
                "then": ["required": ["json_schema"], "properties": ["json_schema": ["type": "object", "required": ["name"], "properties": ["name": string()]]]],
            ],
            "ChatCompletion": [
                "type": "object", "description": "OpenAI's chat completion.",
                "required": ["id", "object", "created", "model", "choices"], "additionalProperties": true,
                "properties": [
                    "id": ["type": "string"], "object": ["type": "string", "enum": ["chat.completion"]], "created": ["type": "integer"],
                    "model": ["type": "string"], "choices": ["type": "array", "items": ["type": "object", "additionalProperties": true]],
                    "usage": ["type": "object", "additionalProperties": true],
                ],
            ],
            "ChatCompletionChunkMessage": object(
                [
                    "event": ["type": "string", "enum": ["message"]],
                    "data": string("A `chat.completion.chunk` object as JSON, an `{\"error\": ...}` object when the upstream failed mid-stream, or `[DONE]` last."),
                ], required: ["event", "data"], description: "One server-sent event of a streamed completion."),
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
            "EmbeddingRequest": [
                "type": "object", "required": ["model", "input"], "additionalProperties": true,
                "examples": [["model": "kimi-k2.5", "input": "hello", "dimensions": 8, "encoding_format": "float"]],
                "properties": [
                    "model": text("An embedding model id, 1 to 256 bytes.", minLength: 1, maxLength: 256),
                    "input": [
                        "description": "A non-empty string, or 1 to 2048 non-empty strings (token arrays are not supported).",
                        "anyOf": [text(minLength: 1), ["type": "array", "minItems": 1, "maxItems": 2048, "items": text(minLength: 1)]],
                    ],
                    "encoding_format": ["type": ["string", "null"], "enum": ["float", "base64", nil]],
                    "dimensions": nullable(integer(1...65_536)),
                    "user": nullable(text("At most 256 bytes.", maxLength: 256)),
                ],
            ],
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
