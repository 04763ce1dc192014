import KimiSwarmCore
import KimiSwarmPlatform

extension OpenAPIDocument {
    static let usageQuery: [JSONValue] = [
        query("from", "First day, YYYY-MM-DD (UTC); default: the first of this month.", schema: ["type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"]),
        query("to", "Last day, inclusive, at most \(UsageRoutes.maxDays) days after `from`; default: today.", schema: ["type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"]),
        query("group_by", "What rows are grouped by (day).", schema: ["type": "string", "enum": .array(UsageRoutes.dimensions.map(JSONValue.string))]),
    ]

    static let tenantLinks: [String: JSONValue] = [
        "GetTenant": link("get", "\(api)/tenants/{tenant_id}", ["tenant_id": "$response.body#/id"]),
        "PatchTenant": link("patch", "\(api)/tenants/{tenant_id}", ["tenant_id": "$response.body#/id"]),
        "PutTenantPlan": link("put", "\(api)/tenants/{tenant_id}/plan", ["tenant_id": "$response.body#/id"]),
        "DeleteTenant": link("delete", "\(api)/tenants/{tenant_id}", ["tenant_id": "$response.body#/id"]),
    ]

    static let memberLinks: [String: JSONValue] = [
        "PutMember": link("put", "\(api)/members/{user_id}", ["user_id": "$response.body#/user_id"]),
        "DeleteMember": link("delete", "\(api)/members/{user_id}", ["user_id": "$response.body#/user_id"]),
    ]

    static let templateLinks: [String: JSONValue] = [
        "GetTemplate": link("get", "\(api)/templates/{template_id}", ["template_id": "$response.body#/id"]),
        "PutTemplate": link("put", "\(api)/templates/{template_id}", ["template_id": "$response.body#/id"]),
        "DeleteTemplate": link("delete", "\(api)/templates/{template_id}", ["template_id": "$response.body#/id"]),
    ]

    static let planLinks: [String: JSONValue] = ["DeletePlan": link("delete", "\(api)/plans/{plan_id}", ["plan_id": "$response.body#/id"])]

    static let adminOperations: [Operation] = accountOperations + tenantOperations + memberOperations + resourceOperations + billingOperations

    static let accountOperations: [Operation] = [
        Operation(method: "get", path: "\(api)/me", summary: "Who am I", tag: "account", permission: .authenticated, responses: [reply(200, "The caller.", "Me")]),
        Operation(
            method: "put", path: "\(api)/me/password", summary: "Set or change your dashboard password (ends your dashboard sessions); never with an API key",
            tag: "account", permission: .account, body: "PasswordChange", responses: [noContent]),
        Operation(
            method: "get", path: "\(api)/me/invitations", summary: "Your pending invitations to other tenants", tag: "account",
            permission: .account, responses: [reply(200, "The invitations.", "MyInvitationList")]),
        Operation(
            method: "post", path: "\(api)/me/invitations/{invitation_id}/accept", summary: "Accept an invitation: become a member", tag: "account",
            permission: .account, responses: [reply(200, "The new membership.", "InvitationAccepted")]),
        Operation(
            method: "post", path: "\(api)/me/invitations/{invitation_id}/decline", summary: "Decline an invitation", tag: "account",
            permission: .account, responses: [noContent]),
    ]

    static let tenantOperations: [Operation] = [
        Operation(method: "get", path: "\(api)/tenants", summary: "Every tenant", tag: "tenants", permission: .tenantsManage, responses: [reply(200, "The tenants.", "TenantList")]),
        Operation(
            method: "post", path: "\(api)/tenants", summary: "Create a tenant", tag: "tenants", permission: .tenantsManage, body: "TenantCreate",
            responses: [reply(201, "Created.", "Tenant", headers: [("Location", true)], links: tenantLinks)], errors: [409]),
        Operation(method: "get", path: "\(api)/tenants/{tenant_id}", summary: "One tenant", tag: "tenants", permission: .tenantsManage, responses: [reply(200, "The tenant.", "Tenant")]),
        Operation(
            method: "patch", path: "\(api)/tenants/{tenant_id}", summary: "Rename, move to a plan, suspend or reinstate a tenant", tag: "tenants",
            permission: .tenantsManage, body: "TenantPatch", responses: [reply(200, "The tenant.", "Tenant")]),
        Operation(
            method: "delete", path: "\(api)/tenants/{tenant_id}", summary: "Delete a tenant and everything it owns (never the caller's own)", tag: "tenants",
            permission: .tenantsManage, responses: [noContent], errors: [409]),
        Operation(
            method: "put", path: "\(api)/tenants/{tenant_id}/plan", summary: "Move a tenant to a plan (null or none: no plan)", tag: "tenants",
            permission: .tenantsManage, body: "TenantPlan", responses: [reply(200, "The tenant.", "Tenant")]),
    ]

    static let memberOperations: [Operation] = [
        Operation(
            method: "get", path: "\(api)/invitations", summary: "The tenant's pending invitations", tag: "members", permission: .membersRead,
            responses: [reply(200, "The invitations.", "InvitationList")]),
        Operation(
            method: "delete", path: "\(api)/invitations/{invitation_id}", summary: "Withdraw an invitation", tag: "members",
            permission: .membersManage, responses: [noContent]),
        Operation(method: "get", path: "\(api)/members", summary: "The tenant's members", tag: "members", permission: .membersRead, responses: [reply(200, "The members.", "MemberList")]),
        Operation(
            method: "post", path: "\(api)/members", summary: "Add a member by e-mail (creating the user when new; inviting a person who has an account elsewhere)", tag: "members",
            permission: .membersManage, body: "MemberAdd",
            responses: [
                reply(201, "A new user was added.", "Member", headers: [("Location", true)], links: memberLinks),
                reply(200, "A member's role was changed, or a super admin added an existing user.", "Member", headers: [("Location", true)], links: memberLinks),
                reply(
                    202, "The person has an account already: they were invited and join when they accept.", "Invitation", headers: [("Location", true)],
                    links: ["DeleteInvitation": link("delete", "\(api)/invitations/{invitation_id}", ["invitation_id": "$response.body#/id"])]),
            ], errors: [409]),
        Operation(
            method: "put", path: "\(api)/members/{user_id}", summary: "Change a member's role (never above your own)", tag: "members",
            permission: .membersManage, body: "MemberRole", responses: [reply(200, "The member.", "Member")]),
        Operation(
            method: "delete", path: "\(api)/members/{user_id}", summary: "Remove a member", tag: "members", permission: .membersManage,
            responses: [noContent], errors: [409]),
        Operation(method: "get", path: "\(api)/keys", summary: "The tenant's API keys (never their secrets)", tag: "keys", permission: .keysRead, responses: [reply(200, "The keys.", "APIKeyList")]),
        Operation(
            method: "post", path: "\(api)/keys", summary: "Create an API key; the plain key is shown once", tag: "keys", permission: .keysManage,
            body: "APIKeyCreate",
            responses: [
                reply(
                    201, "The key, with `key` set.", "APIKey", headers: [("Location", true)],
                    links: ["DeleteKey": link("delete", "\(api)/keys/{key_id}", ["key_id": "$response.body#/id"])])
            ]),
        Operation(
            method: "delete", path: "\(api)/keys/{key_id}", summary: "Revoke an API key (at once)", tag: "keys", permission: .keysManage,
            responses: [noContent]),
    ]

    static let resourceOperations: [Operation] = [
        Operation(
            method: "get", path: "\(api)/credentials", summary: "The tenant's provider credentials (metadata only)", tag: "credentials",
            permission: .credentialsManage, responses: [reply(200, "The credentials.", "CredentialList")]),
        Operation(
            method: "put", path: "\(api)/credentials/{provider}", summary: "Store a provider key (write-only; 422 for a provider this server has not)", tag: "credentials",
            permission: .credentialsManage, body: "CredentialPut",
            responses: [
                reply(
                    200, "Stored.", "Credential",
                    links: ["DeleteCredential": link("delete", "\(api)/credentials/{provider}", ["provider": "$response.body#/provider", "name": "$response.body#/name"])])
            ]),
        Operation(
            method: "delete", path: "\(api)/credentials/{provider}", summary: "Delete a provider key", tag: "credentials",
            permission: .credentialsManage, query: [query("name", "The credential's name (default).")], responses: [noContent], errors: [422]),
        Operation(
            method: "get", path: "\(api)/templates", summary: "Shipped templates and the tenant's own", tag: "templates",
            permission: .templatesRead, responses: [reply(200, "The templates.", "TemplateList")]),
        Operation(
            method: "post", path: "\(api)/templates", summary: "Add a template (YAML, checked by the engine's parser)", tag: "templates",
            permission: .templatesWrite, body: "TemplateBody", responses: [reply(201, "Created.", "Template", headers: [("Location", true)], links: templateLinks)],
            errors: [409]),
        Operation(method: "get", path: "\(api)/templates/{template_id}", summary: "One template", tag: "templates", permission: .templatesRead, responses: [reply(200, "The template.", "Template")]),
        Operation(
            method: "put", path: "\(api)/templates/{template_id}", summary: "Replace one of the tenant's templates", tag: "templates",
            permission: .templatesWrite, body: "TemplateBody", responses: [reply(200, "Replaced.", "Template")], errors: [409]),
        Operation(
            method: "delete", path: "\(api)/templates/{template_id}", summary: "Delete one of the tenant's templates", tag: "templates",
            permission: .templatesWrite, responses: [noContent], errors: [409]),
    ]

    static let billingOperations: [Operation] = [
        Operation(
            method: "get", path: "\(api)/usage", summary: "Usage and exact cost, grouped", tag: "usage", permission: .usageRead, query: usageQuery,
            responses: [reply(200, "The report.", "UsageReport")]),
        Operation(
            method: "get", path: "\(api)/usage.csv", summary: "Usage and exact cost, grouped, as CSV", tag: "usage", permission: .usageRead,
            query: usageQuery, responses: [reply(200, "CSV with a header row.", media: "text/csv", schema: ["type": "string"])]),
        Operation(method: "get", path: "\(api)/plans", summary: "Every plan", tag: "plans", permission: .plansRead, responses: [reply(200, "The plans.", "PlanList")]),
        Operation(
            method: "put", path: "\(api)/plans/{plan_id}", summary: "Create or replace a plan", tag: "plans", permission: .plansManage, body: "PlanPut",
            responses: [reply(200, "Replaced.", "Plan", links: planLinks), reply(201, "Created.", "Plan", links: planLinks)]),
        Operation(
            method: "delete", path: "\(api)/plans/{plan_id}", summary: "Delete a plan no tenant is on", tag: "plans", permission: .plansManage,
            responses: [noContent], errors: [409]),
        Operation(
            method: "get", path: "\(api)/quota", summary: "The tenant's plan, overrides, effective limits and current use", tag: "quota",
            permission: .quotaRead, responses: [reply(200, "The quota.", "Quota")]),
        Operation(
            method: "put", path: "\(api)/quota",
            summary: "Set limits: a super admin sets the tenant's overrides (any value); a tenant admin sets the tenant's own limits, at or below the ceiling (plan and overrides; 403 above it)",
            tag: "quota", permission: .quotaManage, body: "LimitsUpdate", responses: [reply(200, "The quota.", "Quota")]),
    ]
}
