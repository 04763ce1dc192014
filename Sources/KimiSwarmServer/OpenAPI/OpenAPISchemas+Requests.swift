import Foundation
import KimiSwarmCore
import KimiSwarmPlatform
import KimiSwarmEngine

extension OpenAPISchemas {
    /// A caller-chosen id (``Admin/validateID(_:field:)``).
    static let chosenIDPattern = "^[a-z0-9][a-z0-9_-]{0,63}$"
    /// A display name (``Admin/validateName(_:field:)``): 1 to 200 characters, not only spaces.
    static let name: JSONValue = text("1 to 200 characters, not only spaces.", minLength: 1, maxLength: 200, pattern: "\\S")
    /// A password (``PasswordRoutes/validate(_:field:)``).
    static let password: JSONValue = text("10 to 1024 characters (at most 1024 bytes of UTF-8).", minLength: 10, maxLength: 1024)

    /// An exact amount of US dollars (``DecimalText``) above 0 and at most `maximum`: a string
    /// (`"12.50"`: 1 to 15 digits, up to 18 decimals, no sign or exponent) or a JSON number.
    static func positiveMoney(atMost maximum: Decimal, _ description: String) -> JSONValue {
        let upper = NSDecimalNumber(decimal: maximum).doubleValue
        return [
            "description": .string("\(description) More than 0, at most \(maximum): a string such as \"12.50\" (exact) or a number."),
            "anyOf": [
                ["type": "number", "minimum": 1e-18, "maximum": .double(upper)],
                ["type": "string", "pattern": .string(positiveDecimalPattern(atMost: maximum))],
            ],
        ]
    }

    /// The decimals ``DecimalText`` reads that are above 0 and at most `maximum` (a power of
    /// ten), as a regular expression without look-arounds: a non-zero whole part of at most
    /// that many digits (leading zeros within 15 digits), or a zero whole part with a non-zero
    /// fraction, or the maximum itself.
    static func positiveDecimalPattern(atMost maximum: Decimal) -> String {
        let digits = "\(maximum)".count - 1  // 10^k has k + 1 digits
        let fraction = "(\\.[0-9]{1,18})?"
        let whole = (1...digits).map { length in "0{0,\(15 - length)}[1-9][0-9]{\(length - 1)}" }.joined(separator: "|")
        let smallFractions = (0...17).map { zeros in "0{\(zeros)}[1-9][0-9]{0,\(17 - zeros)}" }.joined(separator: "|")
        let top = "0{0,\(14 - digits)}1" + String(repeating: "0", count: digits) + "(\\.0{1,18})?"
        return "^((\(whole))\(fraction)|0{1,15}\\.(\(smallFractions))|\(top))$"
    }

    /// The request bodies of the admin API; a field not listed is a 422.
    static var requestBodies: [String: JSONValue] {
        let limitsExample: JSONValue = [
            "monthly_token_limit": 1_000_000_000, "monthly_cost_limit_usd": "1000.00", "max_concurrent_runs": 100,
            "requests_per_minute": 100_000, "daily_token_limit": 100_000_000, "max_subagents_per_run": 1000,
        ]
        return [
            "TenantCreate": body(
                ["name": name, "id": nullable(text("Chosen id (default: a UUID).", pattern: chosenIDPattern)), "plan_id": nullable(string("An existing plan (422 otherwise)."))],
                required: ["name"], example: ["name": "Acme"]),
            "TenantPatch": body(
                ["name": nullable(name), "plan_id": nullable(string("An existing plan; null: no plan; absent: unchanged.")), "suspended": nullable(boolean)],
                required: [], example: ["name": "Acme Ltd"]),
            "TenantPlan": body(["plan_id": nullable(string("An existing plan; null or absent: no plan."))], required: [], example: ["plan_id": "unlimited"]),
            "MemberAdd": body(
                [
                    "email": text("An e-mail address (compared in lower case).", minLength: 3, maxLength: 254, pattern: "^[^ ]*@[^ ]*$"),
                    "role": roles, "display_name": nullable(name),
                    "password": nullable(text("A new user's dashboard password: 10 to 1024 characters (refused for an existing user: 409).", minLength: 10, maxLength: 1024)),
                ], required: ["email", "role"], example: ["email": "dev@example.com", "role": "developer"]),
            "PasswordChange": body(
                ["current_password": nullable(string("Required once a password is set.")), "new_password": password], required: ["new_password"],
                example: ["current_password": "the old passphrase", "new_password": "a new long passphrase"]),
            "MemberRole": body(["role": roles], required: ["role"], example: ["role": "viewer"]),
            "APIKeyCreate": body(
                ["name": name, "role": roles, "expires_at": nullable(["type": "string", "description": "A future date or ISO 8601 time.", "anyOf": [["format": "date-time"], ["format": "date"]]])],
                required: ["name", "role"], example: ["name": "ci", "role": "developer"]),
            "CredentialPut": body(
                [
                    "secret": text("The provider's key, 1 to 8192 bytes without surrounding spaces; never shown again.", minLength: 1, maxLength: 8192, pattern: "^\\S([\\s\\S]*\\S)?$"),
                    "name": nullable(text("Default: `default`.", pattern: chosenIDPattern)),
                ], required: ["secret"], example: ["secret": "sk-example-key"]),
            "TemplateBody": body(
                ["definition": text("The template as YAML, in the format of the shipped templates (at most 256 KiB).", minLength: 1, maxLength: 256 << 10)],
                required: ["definition"],
                example: ["definition": "id: fuzz-example\nname: Example\ncategory: example\npurpose: An example.\ndescription: An example template.\nmodel_tier: fast\ntools: []\nsystem_prompt: You help.\nexamples: [\"Say hello.\"]\n"]),
            "PlanPut": body(["name": name, "limits": nullable(ref("LimitsUpdate"))], required: ["name"], example: ["name": "Team", "limits": limitsExample]),
            "LimitsUpdate": body(
                [
                    "monthly_token_limit": nullable(integer(LimitsDTO.tokenRange, "Tokens (input plus output) per calendar month (UTC).")),
                    "monthly_cost_limit_usd": nullable(positiveMoney(atMost: LimitsDTO.maxCostUSD, "Spend per calendar month.")),
                    "max_concurrent_runs": nullable(integer(LimitsDTO.concurrentRunsRange, "Runs in flight at once.")),
                    "requests_per_minute": nullable(integer(LimitsDTO.requestsPerMinuteRange, "Requests per minute, counted per replica.")),
                    "daily_token_limit": nullable(integer(LimitsDTO.tokenRange, "Tokens (input plus output) per UTC day.")),
                    "max_subagents_per_run": nullable(integer(RunLimits.Bounds.maxSubAgents, "Sub-agents one run may start.")),
                ], required: [], example: limitsExample,
                description: "Quota limits to set; null or absent means none (\"the plan's\" for overrides). 0 is refused: suspend a tenant instead."),
        ]
    }
}
