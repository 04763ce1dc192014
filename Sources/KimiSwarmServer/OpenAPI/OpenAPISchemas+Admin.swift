import KimiSwarmCore
import KimiSwarmPlatform
import KimiSwarmEngine
import KimiSwarmStore

extension OpenAPISchemas {
    /// The error bodies, and the admin API's answers.
    static var adminSchemas: [String: JSONValue] {
        [
            "Error": object(
                [
                    "error": object(
                        [
                            "type": string("Stable machine-readable type: invalid_request, authentication_error, permission_denied, not_found, model_not_found (gateway), conflict, rate_limit_exceeded, quota_exceeded, payload_too_large, unsupported_media_type, upstream_error, unavailable, internal_error."),
                            "message": string("What was wrong."), "hint": string("How to fix it.", nullable: true),
                            "request_id": string("The request's id (also in `X-Request-ID`)."),
                        ], required: ["type", "message", "hint", "request_id"])
                ], description: "The one error body of every route of `/api/v1` and the operations routes."),
            "GatewayError": object(
                [
                    "error": object(
                        [
                            "type": string("As in `Error`."), "message": string("What was wrong."), "hint": string("How to fix it.", nullable: true),
                            "request_id": string("The request's id (also in `X-Request-ID`)."),
                            "param": string("The offending parameter, or null.", nullable: true), "code": string("The type again (OpenAI's `code`)."),
                        ], required: ["type", "message", "hint", "request_id", "param", "code"])
                ], description: "The error body of the gateway (`/v1/...`): `Error`'s fields plus OpenAI's `param` and `code`, so OpenAI SDKs show it."),
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
                "permissions": ["type": "array", "items": ["type": "string", "enum": .array(Permission.allCases.map { .string($0.rawValue) })]],
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
                    "model_tier": ["type": ["string", "null"], "enum": .array(ModelTier.allCases.map { .string($0.rawValue) } + [.null])],
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
            "Invitation": object(
                [
                    "id": string(), "email": string("The address invited (left out when the account is gone)."), "role": roles,
                    "status": ["type": "string", "enum": ["invited"]], "created_at": time, "expires_at": time,
                ], required: ["id", "role", "status", "created_at", "expires_at"],
                description: "A pending invitation, as the inviting tenant sees it (nothing about the account)."),
            "InvitationList": list("Invitation"),
            "MyInvitation": object(
                [
                    "id": string(), "tenant_id": string(), "tenant_name": string("Left out when the tenant is gone."), "role": roles,
                    "expires_at": time,
                ], required: ["id", "tenant_id", "role", "expires_at"], description: "An invitation to you."),
            "MyInvitationList": list("MyInvitation"),
            "InvitationAccepted": object(["tenant_id": string(), "role": roles]),
            "UsageRow": usageRow,
            "UsageReport": object([
                "from": string(format: "date"), "to": string(format: "date"),
                "group_by": ["type": "string", "enum": .array(UsageRoutes.dimensions.map(JSONValue.string))],
                "data": ["type": "array", "items": ref("UsageRow")], "total": ref("UsageRow"),
            ]),
        ]
    }
}
