"""Parallel spend against a tenant's quota: ten runs at once must not spend past the quota.

A tenant whose monthly cost limit is QUOTA_USD ($0.40; set by a super admin with `PUT /quota`
acting in it, concurrent runs raised to 20) on `swarm serve` with 10 workers; the chaos upstream
reports a fixed usage per call, chosen from the registry's price of the model so that one run of
the `security` swarm (8 agents and a synthesis: 9 calls) costs what the server estimates for it
(about $0.22). RUNS runs are started at once.

Pass: the spend, in the usage ledger (`GET /api/v1/usage`) and from the upstream's log (every
call answered in full × its usage × the registry price), is at most the quota plus the calls
that were in flight when the spend reached the quota: the call whose answer reached it, and those
that had reached the upstream by then or within GRACE_S (0.25 s) after. Calls already started may
finish and be billed; none may start after. Figures: runs admitted, spend (ledger and upstream), its ratio to
the quota, when the quota was reached and how many calls started after that.
"""

import concurrent.futures
import json
import secrets
import subprocess
import time
from decimal import Decimal

from harness import Fake, Result, ScenarioFailure, Server, Workspace, clean_environment, finished, wait_for

QUOTA_USD = Decimal("0.40")
CALLS_PER_RUN = 9  # the security swarm: 8 agents and the synthesis
GRACE_S = 0.25  # a call reaching the upstream this soon after the crossing answer was sent before the server saw it
COMPLETION_TOKENS = 4000  # within the engine's max_tokens per call (4,096)


def run(root, long_mode, keep=False):
    runs = 10
    result = Result("tenant-quota-parallel-spend")
    workspace = Workspace(root, "quota", keep)
    try:
        fake = Fake(workspace, {"latency_ms": 400, "latency_jitter_ms": 600, "seed": 41, "swarm": {"agents": 8}})
        workspace.env = {"MOONSHOT_BASE_URL": fake.base_url + "/v1", "MOONSHOT_API_KEY": "local",
                         "KIMI_CACHE__ENABLED": "false", "KIMI_RATE_LIMIT__MAX_REQUESTS": "100000",
                         "KIMI_RATE_LIMIT__MAX_CONCURRENT": "200"}
        server = Server(workspace, workspace.path("data"), workspace.admin_key(), workers=runs)
        tenant = "rel-quota-" + secrets.token_hex(3)
        expect(server.call("POST", "/api/v1/tenants", {"name": "Reliability quota", "id": tenant}), 201)
        expect(server.call("PUT", "/api/v1/quota", {"monthly_cost_limit_usd": str(QUOTA_USD), "max_concurrent_runs": 20},
                           tenant=tenant), 200)
        run_body = {"task": "Review the design of a payment service", "swarm": "security"}
        estimate = Decimal(expect(server.call("POST", "/api/v1/runs/estimate", run_body, tenant=tenant), 200)
                           .json["expected_cost_usd"])
        prices = model_prices(workspace)
        price_in, price_out = prices["kimi-k2.6"]
        per_call = estimate / CALLS_PER_RUN
        prompt_tokens = max(1, int((per_call - COMPLETION_TOKENS * price_out) / price_in))
        fake.configure(usage={"prompt_tokens": prompt_tokens, "completion_tokens": COMPLETION_TOKENS})

        def start(index):
            return server.call("POST", "/api/v1/runs", {**run_body, "task": f"{run_body['task']} #{index}"}, tenant=tenant)

        with concurrent.futures.ThreadPoolExecutor(max_workers=runs) as pool:
            answers = list(pool.map(start, range(runs)))
        admitted = [answer.json["id"] for answer in answers if answer.status == 202]
        refused = [answer.status for answer in answers if answer.status != 202]
        result.check(all(status == 429 for status in refused), f"runs refused with other statuses than 429: {refused}")

        def all_ended():
            states = [server.call("GET", f"/api/v1/runs/{run_id}", tenant=tenant, timeout=10).json.get("status")
                      for run_id in admitted]
            return states if all(state and state not in ("queued", "running") for state in states) else None
        states = wait_for(all_ended, 240, interval=1, what="the admitted runs to end")
        ledger = settled_ledger(server, tenant)
        log = fake.log()
        judge(result, log, prices, ledger, estimate)
        result.figures.update({
            "runs_started": runs, "runs_admitted": len(admitted), "run_states": summary(states),
            "estimate_per_run_usd": str(estimate), "quota_usd": str(QUOTA_USD)})
    except ScenarioFailure as error:
        result.check(False, f"{error}\n{workspace.tails()}")
    finally:
        result.notes.append(f"workspace {workspace.folder}")
        workspace.close()
    return result


def judge(result, log, prices, ledger, estimate):
    def cost(entry):
        usage = entry.get("usage") or {}
        price_in, price_out = prices.get(entry.get("model") or "kimi-k2.6", prices["kimi-k2.6"])
        return usage.get("prompt_tokens", 0) * price_in + usage.get("completion_tokens", 0) * price_out

    answered = sorted(finished(log), key=lambda entry: entry["t_end"])
    upstream = sum((cost(entry) for entry in answered), Decimal(0))
    crossing, running = None, Decimal(0)
    for entry in answered:
        running += cost(entry)
        if running > QUOTA_USD:
            crossing = entry["t_end"]
            break
    allowance, started_after, in_flight = QUOTA_USD, 0, 0
    if crossing is not None:
        # In flight: the call whose answer crossed the quota, and every call that had reached the
        # upstream by then (or within GRACE_S after: sent before the server saw that answer).
        flying = [e for e in log if e["t"] <= crossing + GRACE_S and (e.get("t_end") or float("inf")) >= crossing]
        in_flight = len(flying)
        allowance += sum((cost(entry) or estimate / CALLS_PER_RUN for entry in flying), Decimal(0))
        started_after = sum(1 for entry in log if entry["t"] > crossing + GRACE_S)
    first = min((entry["t"] for entry in log), default=0)
    result.check(upstream <= allowance,
                 f"the upstream was paid ${upstream:.4f} for this tenant, {upstream / QUOTA_USD:.1f}× the ${QUOTA_USD} quota "
                 f"(allowed: ${allowance:.4f} with the {in_flight} calls in flight when it was reached); "
                 f"{started_after} of {len(log)} calls started after the quota was reached")
    result.check(ledger <= allowance, f"the ledger shows ${ledger:.4f} spent, over the ${allowance:.4f} allowed")
    result.figures.update({
        "upstream_calls": len(log), "spend_ledger_usd": f"{ledger:.4f}", "spend_upstream_usd": f"{upstream:.4f}",
        "spend_over_quota": f"{upstream / QUOTA_USD:.2f}x", "allowed_usd": f"{allowance:.4f}",
        "quota_reached_after_s": round(crossing - first, 2) if crossing else None,
        "calls_in_flight_then": in_flight, "calls_started_after": started_after})


def settled_ledger(server, tenant):
    """The tenant's total cost in the ledger once it stops changing (its writer is in the background)."""
    last, stable = None, 0
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        answer = server.call("GET", "/api/v1/usage", tenant=tenant, timeout=10)
        if answer.status != 200:
            raise ScenarioFailure(f"GET /api/v1/usage: {answer.status} {answer.text[:200]}")
        total = Decimal(str(answer.json["total"]["cost_usd"]))
        stable = stable + 1 if total == last else 0
        if stable >= 2:
            return total
        last = total
        time.sleep(1)
    return last


def model_prices(workspace):
    """{model id: (input, output) USD per token} of the Moonshot models, from `swarm models --json`."""
    output = subprocess.run([workspace.binary("swarm"), "models", "--provider", "moonshot", "--json"],
                            capture_output=True, text=True, timeout=60, cwd=workspace.folder,
                            env=clean_environment(workspace.folder, {}), check=False)
    if output.returncode != 0:
        raise ScenarioFailure(f"swarm models --json failed: {output.stderr[:300]}")
    prices = {}
    for entry in json.loads(output.stdout):
        pricing = entry.get("pricing") or {}
        million = Decimal(1_000_000)
        read = lambda *names: next((Decimal(str(pricing[name])) for name in names if name in pricing), None)  # noqa: E731
        price_in, price_out = read("inputPerMillion", "input"), read("outputPerMillion", "output")
        if price_in is not None and price_out is not None:
            prices[entry["id"]] = (price_in / million, price_out / million)
    if "kimi-k2.6" not in prices:
        raise ScenarioFailure("the registry has no price for kimi-k2.6")
    return prices


def expect(answer, status):
    if answer.status != status:
        raise ScenarioFailure(f"expected {status}, got {answer.status}: {answer.text[:300]}")
    return answer


def summary(states):
    counts = {}
    for state in states:
        counts[state] = counts.get(state, 0) + 1
    return ", ".join(f"{count} {state}" for state, count in sorted(counts.items()))
