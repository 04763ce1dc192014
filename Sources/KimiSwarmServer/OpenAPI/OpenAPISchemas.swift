import KimiSwarmCore

/// The component schemas of the OpenAPI document (JSON Schema 2020-12, as OpenAPI 3.1 uses).
enum OpenAPISchemas {
    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }
    static func string(_ description: String? = nil, format: String? = nil, nullable: Bool = false) -> JSONValue {
        var schema: [String: JSONValue] = ["type": nullable ? JSONValue.array(["string", "null"]) : JSONValue.string("string")]
        if let description { schema["description"] = .string(description) }
        if let format { schema["format"] = .string(format) }
        return .object(schema)
    }
    static func integer(_ description: String? = nil, nullable: Bool = false) -> JSONValue {
        var schema: [String: JSONValue] = ["type": nullable ? JSONValue.array(["integer", "null"]) : JSONValue.string("integer")]
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }
    static let boolean: JSONValue = ["type": "boolean"]
    static let money: JSONValue = ["type": "string", "description": "An exact decimal amount of US dollars.", "pattern": "^-?[0-9]+(\\.[0-9]+)?$"]
    static let nullableMoney: JSONValue = ["type": ["string", "null"], "description": "An exact decimal amount of US dollars, or null."]
    static let time: JSONValue = string(format: "date-time")
    static let nullableTime: JSONValue = string(format: "date-time", nullable: true)
    static let roles: JSONValue = ["type": "string", "enum": ["super_admin", "tenant_admin", "developer", "viewer", "billing_admin"]]

    /// An object schema; `required` defaults to every property.
    static func object(_ properties: [String: JSONValue], required: [String]? = nil, additional: Bool = false, description: String? = nil) -> JSONValue {
        var schema: [String: JSONValue] = [
            "type": "object", "properties": .object(properties),
            "required": .array((required ?? properties.keys.sorted()).map(JSONValue.string)),
        ]
        if !additional { schema["additionalProperties"] = false }
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }
    static func list(_ item: String) -> JSONValue { object(["data": ["type": "array", "items": ref(item)]]) }

    static let limitProperties: [String: JSONValue] = [
        "monthly_token_limit": integer("Tokens (input plus output) per calendar month (UTC).", nullable: true),
        "monthly_cost_limit_usd": nullableMoney,
        "max_concurrent_runs": integer("Runs in flight at once.", nullable: true),
        "requests_per_minute": integer("Requests per minute, counted per replica.", nullable: true),
        "daily_token_limit": integer("Tokens (input plus output) per UTC day.", nullable: true),
        "max_subagents_per_run": integer("Sub-agents one run may start.", nullable: true),
    ]

    static let usageRow: JSONValue = object([
        "key": string("The group's value (`\"\"` for none)."), "calls": integer(), "cache_hits": integer(), "prompt_tokens": integer(),
        "cached_prompt_tokens": integer(), "completion_tokens": integer(), "reasoning_tokens": integer(), "total_tokens": integer(),
        "cost_usd": money,
    ])

    static var all: [String: JSONValue] {
        [
            "Error": object(
                [
                    "error": object(
                        [
                            "type": string("Stable machine-readable type: invalid_request, authentication_error, permission_denied, not_found, conflict, rate_limit_exceeded, quota_exceeded, payload_too_large, unsupported_media_type, upstream_error, unavailable, internal_error."),
                            "message": string("What was wrong."), "hint": string("How to fix it.", nullable: true),
                            "request_id": string("The request's id (also in `X-Request-ID`)."),
                            "param": string("The offending parameter (gateway routes).", nullable: true),
                            "code": string("The type again (gateway routes, OpenAI style).", nullable: true),
                        ], required: ["type", "message", "hint", "request_id"])
                ], description: "The one error body of every route."),
            "Tenant": object([
                "id": string(), "name": string(), "plan_id": string(nullable: true), "suspended": boolean, "suspended_at": nullableTime,
                "created_at": time,
            ]),
            "TenantList": list("Tenant"),
            "Me": object([
                "tenant_id": string("The tenant the request acts in."), "home_tenant_id": string("The tenant the credential belongs to."),
                "tenant": ["anyOf": [ref("Tenant"), ["type": "null"]]], "role": roles, "user_id": string(nullable: true),
                "email": string(nullable: true), "api_key_id": string(nullable: true),
                "key_created_by": string("The user who created the API key behind the credential (attribution only).", nullable: true),
                "personal": ["type": "boolean", "description": "Whether the credential is the person themself (not an API key or a session made from one)."],
                "method": ["type": "string", "enum": ["api_key", "session", "oidc", "dashboard"]],
                "permissions": ["type": "array", "items": ["type": "string"]],
            ]),
            "Member": object([
                "user_id": string(), "email": string(nullable: true), "display_name": string(nullable: true), "role": roles, "created_at": time,
            ]),
            "MemberList": list("Member"),
            "APIKey": object(
                [
                    "id": string(), "name": string(), "role": roles, "prefix": string("The key's first characters, for display."),
                    "status": ["type": "string", "enum": ["active", "revoked", "expired"]], "user_id": string(nullable: true),
                    "created_at": time, "last_used_at": nullableTime, "revoked_at": nullableTime, "expires_at": nullableTime,
                    "key": string("The plain key: only in the answer of `POST /keys`, shown once."),
                ],
                required: ["id", "name", "role", "prefix", "status", "user_id", "created_at", "last_used_at", "revoked_at", "expires_at"]),
            "APIKeyList": list("APIKey"),
            "Credential": object([
                "provider": string(), "name": string(), "master_key_id": string("The master key it is encrypted under."), "updated_at": time,
            ]),
            "CredentialList": list("Credential"),
            "Template": object(
                [
                    "id": string(), "name": string(), "origin": ["type": "string", "enum": ["shipped", "tenant"]],
                    "category": string(nullable: true), "purpose": string(nullable: true), "description": string(nullable: true),
                    "model_tier": ["type": ["string", "null"], "enum": ["fast", "balanced", "deep", nil]],
                    "tools": ["type": ["array", "null"], "items": ["type": "string"]], "system_prompt": string(nullable: true),
                    "output_schema": ["description": "A JSON Schema, or null."],
                    "examples": ["type": ["array", "null"], "items": ["type": "string"]],
                    "definition": string("The tenant's YAML text (null for shipped templates).", nullable: true),
                    "created_at": nullableTime, "updated_at": nullableTime,
                ]),
            "TemplateList": list("Template"),
            "Limits": object(limitProperties, description: "Quota limits; null means none (unlimited on a plan, \"the plan's\" in overrides)."),
            "Plan": object(["id": string(), "name": string(), "limits": ref("Limits")]),
            "PlanList": list("Plan"),
            "Quota": object([
                "tenant_id": string(), "plan": ["anyOf": [ref("Plan"), ["type": "null"]]],
                "overrides": ["anyOf": [ref("Limits"), ["type": "null"]]],
                "tenant_limits": ["anyOf": [ref("Limits"), ["type": "null"]]],
                "ceiling": ref("Limits"), "effective": ref("Limits"),
                "usage": object([
                    "tokens_today": integer(), "tokens_this_month": integer(), "cost_this_month_usd": money,
                    "active_runs": integer("Runs queued or running."),
                ]),
            ]),
            "Invitation": object([
                "id": string(), "email": string(nullable: true), "role": roles, "status": ["type": "string", "enum": ["invited"]],
                "created_at": time, "expires_at": time,
            ], description: "A pending invitation, as the inviting tenant sees it (nothing about the account)."),
            "InvitationList": list("Invitation"),
            "MyInvitation": object(
                ["id": string(), "tenant_id": string(), "tenant_name": string(nullable: true), "role": roles, "expires_at": time],
                description: "An invitation to you."),
            "MyInvitationList": list("MyInvitation"),
            "InvitationAccepted": object(["tenant_id": string(), "role": roles]),
            "UsageRow": usageRow,
            "UsageReport": object([
                "from": string(format: "date"), "to": string(format: "date"),
                "group_by": ["type": "string", "enum": ["day", "model", "provider", "template", "key", "user"]],
                "data": ["type": "array", "items": ref("UsageRow")], "total": ref("UsageRow"),
            ]),
        ].merging(runSchemas) { first, _ in first }.merging(adminBodies) { first, _ in first }
    }
}
