/// The store's schema, as migrations. Append new versions; never edit a released one.
///
/// Conventions: every row that belongs to a tenant has `tenant_id` first in its primary key;
/// timestamps are `BIGINT` milliseconds since 1970; money is exact decimal `TEXT`; booleans
/// are `BIGINT` `0`/`1`; ids are text (UUIDs) made by the store.
public enum Schema {
    /// Every migration, in order.
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "platform", statements: [
            """
            CREATE TABLE plans(
                id TEXT PRIMARY KEY, name TEXT NOT NULL,
                monthly_token_limit BIGINT, monthly_cost_limit_usd TEXT,
                max_concurrent_runs BIGINT, requests_per_minute BIGINT,
                created_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE tenants(
                id TEXT PRIMARY KEY, name TEXT NOT NULL, plan_id TEXT REFERENCES plans(id),
                created_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE tenant_quotas(
                tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
                monthly_token_limit BIGINT, monthly_cost_limit_usd TEXT,
                max_concurrent_runs BIGINT, requests_per_minute BIGINT,
                updated_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE users(
                id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL,
                is_super_admin BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE memberships(
                tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                role TEXT NOT NULL CHECK (role IN ('super_admin','tenant_admin','developer','viewer','billing_admin')),
                created_at BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, user_id))
            """,
            """
            CREATE TABLE api_keys(
                tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                id TEXT NOT NULL, user_id TEXT, name TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('super_admin','tenant_admin','developer','viewer','billing_admin')),
                prefix TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE,
                created_at BIGINT NOT NULL, last_used_at BIGINT, revoked_at BIGINT,
                PRIMARY KEY (tenant_id, id))
            """,
            """
            CREATE TABLE provider_credentials(
                tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                provider TEXT NOT NULL, name TEXT NOT NULL,
                key_id TEXT NOT NULL, sealed {BLOB} NOT NULL,
                created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, provider, name))
            """,
            """
            CREATE TABLE agent_templates(
                tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                id TEXT NOT NULL, name TEXT NOT NULL, definition TEXT NOT NULL,
                created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, id))
            """,
            """
            CREATE TABLE runs(
                tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                id TEXT NOT NULL, template_id TEXT, created_by TEXT,
                task TEXT NOT NULL, graph TEXT, budgets TEXT, status TEXT NOT NULL, result TEXT,
                prompt_tokens BIGINT NOT NULL DEFAULT 0, completion_tokens BIGINT NOT NULL DEFAULT 0,
                cost_usd TEXT NOT NULL DEFAULT '0',
                created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, finished_at BIGINT,
                PRIMARY KEY (tenant_id, id))
            """,
            "CREATE INDEX runs_by_status ON runs(tenant_id, status, created_at)",
            """
            CREATE TABLE run_journal(
                tenant_id TEXT NOT NULL, run_id TEXT NOT NULL, step_id TEXT NOT NULL,
                seq BIGINT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL,
                prompt_tokens BIGINT NOT NULL, cached_prompt_tokens BIGINT NOT NULL,
                cache_write_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL,
                reasoning_tokens BIGINT NOT NULL, cost_usd TEXT NOT NULL, recorded_at BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, run_id, step_id))
            """,
            "CREATE INDEX run_journal_order ON run_journal(tenant_id, run_id, seq)",
            "CREATE INDEX run_journal_age ON run_journal(recorded_at)",
            """
            CREATE TABLE run_events(
                tenant_id TEXT NOT NULL, run_id TEXT NOT NULL, seq BIGINT NOT NULL,
                type TEXT NOT NULL, data TEXT NOT NULL, created_at BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, run_id, seq))
            """,
            "CREATE INDEX run_events_age ON run_events(created_at)",
            """
            CREATE TABLE usage_ledger(
                tenant_id TEXT NOT NULL, id TEXT NOT NULL,
                user_id TEXT, api_key_id TEXT, run_id TEXT, template_id TEXT,
                provider TEXT NOT NULL, model TEXT NOT NULL,
                prompt_tokens BIGINT NOT NULL, cached_prompt_tokens BIGINT NOT NULL,
                cache_write_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL,
                reasoning_tokens BIGINT NOT NULL, cost_usd TEXT NOT NULL,
                latency_ms BIGINT NOT NULL, cache_hit BIGINT NOT NULL, created_at BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, id))
            """,
            "CREATE INDEX usage_ledger_by_time ON usage_ledger(tenant_id, created_at)",
            "CREATE INDEX usage_ledger_age ON usage_ledger(created_at)",
            """
            CREATE TABLE usage_rollups_daily(
                tenant_id TEXT NOT NULL, day TEXT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL,
                template_id TEXT NOT NULL, api_key_id TEXT NOT NULL,
                calls BIGINT NOT NULL, cache_hits BIGINT NOT NULL,
                prompt_tokens BIGINT NOT NULL, cached_prompt_tokens BIGINT NOT NULL,
                cache_write_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL,
                reasoning_tokens BIGINT NOT NULL, cost_usd TEXT NOT NULL, latency_ms_total BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, day, provider, model, template_id, api_key_id))
            """,
            """
            CREATE TABLE response_cache(
                tenant_id TEXT NOT NULL, cache_key TEXT NOT NULL, provider TEXT, model TEXT,
                body {BLOB} NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT,
                PRIMARY KEY (tenant_id, cache_key))
            """,
            "CREATE INDEX response_cache_expiry ON response_cache(expires_at)",
            """
            CREATE TABLE jobs(
                id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, queue TEXT NOT NULL, kind TEXT NOT NULL,
                payload TEXT NOT NULL, priority BIGINT NOT NULL, status TEXT NOT NULL,
                attempts BIGINT NOT NULL, max_attempts BIGINT NOT NULL, not_before BIGINT NOT NULL,
                lease_owner TEXT, lease_expires_at BIGINT, fencing_token BIGINT NOT NULL,
                last_error TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, finished_at BIGINT)
            """,
            "CREATE INDEX jobs_ready ON jobs(queue, status, priority, not_before)",
            "CREATE INDEX jobs_leases ON jobs(status, lease_expires_at)",
            "CREATE INDEX jobs_by_tenant ON jobs(tenant_id, status, created_at)",
        ]),
        // What the HTTP server needs: daily and sub-agent limits with four seeded plans, key
        // expiry, tenant suspension, and runs that carry their spec, their job, an
        // idempotency key (unique per tenant when set) and a cancel request.
        Migration(version: 2, name: "server", statements: [
            "ALTER TABLE plans ADD COLUMN daily_token_limit BIGINT",
            "ALTER TABLE plans ADD COLUMN max_subagents_per_run BIGINT",
            "ALTER TABLE tenant_quotas ADD COLUMN daily_token_limit BIGINT",
            "ALTER TABLE tenant_quotas ADD COLUMN max_subagents_per_run BIGINT",
            """
            INSERT INTO plans(id, name, monthly_token_limit, monthly_cost_limit_usd, max_concurrent_runs, requests_per_minute,
                daily_token_limit, max_subagents_per_run, created_at)
            VALUES ('free', 'Free', NULL, '5', 1, 60, 200000, 10, 0),
                ('pro', 'Pro', NULL, '100', 5, 600, 5000000, 50, 0),
                ('premium', 'Premium', NULL, '1000', 20, 3000, 50000000, 200, 0),
                ('unlimited', 'Unlimited', NULL, NULL, NULL, NULL, NULL, NULL, 0)
            ON CONFLICT (id) DO NOTHING
            """,
            "ALTER TABLE api_keys ADD COLUMN expires_at BIGINT",
            "ALTER TABLE tenants ADD COLUMN suspended_at BIGINT",
            "ALTER TABLE runs ADD COLUMN spec TEXT",
            "ALTER TABLE runs ADD COLUMN api_key_id TEXT",
            "ALTER TABLE runs ADD COLUMN idempotency_key TEXT",
            "ALTER TABLE runs ADD COLUMN request_hash TEXT",
            "ALTER TABLE runs ADD COLUMN cancel_requested_at BIGINT",
            "ALTER TABLE runs ADD COLUMN job_id TEXT",
            "CREATE UNIQUE INDEX runs_idempotency ON runs(tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL",
            "CREATE INDEX runs_by_created ON runs(tenant_id, created_at, id)",
        ]),
        // What the web dashboard's sign-in needs: users' scrypt password hashes with a
        // failed-login count and lock-out (e-mails looked up case-insensitively, by index),
        // and server-side sessions keyed by the SHA-256 of their cookie value, signed in as a
        // user or with an API key, acting in one tenant.
        Migration(version: 3, name: "web_sign_in", statements: [
            "ALTER TABLE users ADD COLUMN password_hash TEXT",
            "ALTER TABLE users ADD COLUMN failed_logins BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE users ADD COLUMN locked_until BIGINT",
            "ALTER TABLE users ADD COLUMN password_changed_at BIGINT",
            "CREATE INDEX users_by_lower_email ON users(lower(email))",
            """
            CREATE TABLE web_sessions(
                id_hash TEXT PRIMARY KEY,
                tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
                api_key_id TEXT, csrf_token TEXT NOT NULL,
                created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, last_seen_at BIGINT NOT NULL)
            """,
            "CREATE INDEX web_sessions_expiry ON web_sessions(expires_at)",
            "CREATE INDEX web_sessions_by_user ON web_sessions(user_id)",
        ]),
        // Limits in two layers: `tenant_quotas` holds what a super admin set (it may raise or
        // lower the plan's), `tenant_own_limits` what the tenant's admins set for themselves
        // (only at or below the super admin's). And invitations: a tenant admin who adds a
        // person that already has an account elsewhere invites them; the person accepts.
        Migration(version: 4, name: "layered_limits_and_invitations", statements: [
            """
            CREATE TABLE tenant_own_limits(
                tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
                monthly_token_limit BIGINT, monthly_cost_limit_usd TEXT,
                max_concurrent_runs BIGINT, requests_per_minute BIGINT,
                daily_token_limit BIGINT, max_subagents_per_run BIGINT,
                updated_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE invitations(
                tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
                id TEXT NOT NULL,
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                role TEXT NOT NULL CHECK (role IN ('tenant_admin','developer','viewer','billing_admin')),
                invited_by TEXT,
                created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, id))
            """,
            "CREATE UNIQUE INDEX invitations_one_per_user ON invitations(tenant_id, user_id)",
            "CREATE INDEX invitations_by_user ON invitations(user_id)",
        ]),
        // The usage meter: the agent of a run that made each call, and what a call the
        // response cache answered (billed 0) would have cost, in the ledger and the rollups.
        Migration(version: 5, name: "usage_agent_and_savings", statements: [
            "ALTER TABLE usage_ledger ADD COLUMN agent_id TEXT",
            "ALTER TABLE usage_ledger ADD COLUMN saved_usd TEXT NOT NULL DEFAULT '0'",
            "ALTER TABLE usage_rollups_daily ADD COLUMN saved_usd TEXT NOT NULL DEFAULT '0'",
        ]),
    ]
}
