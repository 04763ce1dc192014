"""429 storm: gateway calls against an upstream that rate-limits a seeded share of calls.

`swarm serve` with the shipped client defaults (retries, retry budget, client-side rate limit)
in front of the chaos upstream answering 30 % of calls 429 with `Retry-After: 2`. CALLS gateway
calls (`POST /v1/chat/completions`, each with a unique marker in its prompt), CONCURRENCY at once.

Pass: every call is answered (200, or 429 for a rate limit); from the upstream's log, no
attempt of a call came sooner than the Retry-After of the 429 before it, and no call had more
attempts than `retry.max_attempts` (3); every call that failed carries `Retry-After` and says why
(its message or hint names the rate limit and the attempts made, and, when it stopped before
its last attempt, the reason: the retry budget, its deadline, or a Retry-After too long).
Figures: wall time, upstream requests, 429s, failures, the shortest wait after a 429.
"""

import concurrent.futures
import re
import secrets
import time

from harness import Fake, Result, Server, Workspace, http

MAX_ATTEMPTS = 3  # the shipped retry.max_attempts
RETRY_AFTER = 2
TOLERANCE = 0.01  # seconds of timer granularity allowed on "no sooner than Retry-After"


def run(root, long_mode, keep=False):
    calls = 300 if long_mode else 60
    concurrency = 20
    result = Result("429-storm")
    workspace = Workspace(root, "storm", keep)
    try:
        fake = Fake(workspace, {"rate_limit": 0.3, "retry_after": RETRY_AFTER, "seed": 15})
        server = Server(workspace, workspace.path("data"), workspace.admin_key(), workers=0, env={
            "MOONSHOT_BASE_URL": fake.base_url + "/v1", "MOONSHOT_API_KEY": "local"})
        nonce = secrets.token_hex(4)

        def one(index):
            marker = f"storm-{nonce}-{index:04d}"
            body = {"model": "kimi-k2.6", "messages": [{"role": "user", "content": f"Answer call {marker}"}]}
            try:
                answer = http("POST", server.base_url + "/v1/chat/completions", body=body, token=server.admin_key,
                              timeout=600)
            except OSError as error:
                return marker, None, str(error)
            return marker, answer, None

        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
            answers = list(pool.map(one, range(calls)))
        wall = time.monotonic() - started
        time.sleep(0.2)
        log = fake.log()
        judge(result, answers, log, wall, calls, concurrency)
        result.check(server.healthy(), "the server is not healthy after the storm")
    finally:
        result.notes.append(f"workspace {workspace.folder}")
        workspace.close()
    return result


def judge(result, answers, log, wall, calls, concurrency):
    attempts = {}
    for entry in log:
        match = re.search(r"storm-[0-9a-f]+-\d{4}", entry.get("last_user") or "")
        if match:
            attempts.setdefault(match.group(0), []).append(entry)
    for entries in attempts.values():
        entries.sort(key=lambda entry: entry["t"])

    unanswered = [marker for marker, answer, _ in answers if answer is None]
    result.check(not unanswered, f"{len(unanswered)} calls got no HTTP answer (e.g. {unanswered[:3]})")
    odd = [(marker, answer.status) for marker, answer, _ in answers if answer and answer.status not in (200, 429)]
    result.check(not odd, f"{len(odd)} calls answered neither 200 nor 429: {odd[:5]}")

    early, shortest = [], None
    for marker, entries in attempts.items():
        for before, after in zip(entries, entries[1:]):
            if before.get("fault") != "rate_limit" or before.get("retry_after") is None:
                continue
            ended = before.get("t_end") or before["t"]
            gap = after["t"] - ended
            shortest = gap if shortest is None else min(shortest, gap)
            if gap < before["retry_after"] - TOLERANCE:
                early.append(f"{marker}: retried {gap:.3f} s after a 429 with Retry-After {before['retry_after']}")
    result.check(not early, f"{len(early)} retries came before Retry-After: {early[:3]}")

    over = {marker: len(entries) for marker, entries in attempts.items() if len(entries) > MAX_ATTEMPTS}
    result.check(not over, f"{len(over)} calls exceeded {MAX_ATTEMPTS} attempts: {list(over.items())[:3]}")

    failed = [(marker, answer) for marker, answer, _ in answers if answer and answer.status == 429]
    silent, early_stops = [], 0
    for marker, answer in failed:
        text = answer.error_text()
        made = len(attempts.get(marker, []))
        reasons = []
        if "retry-after" not in answer.headers:
            reasons.append("no Retry-After header")
        if not re.search(r"rate.?limit", text, re.I):
            reasons.append("does not name the rate limit")
        if not re.search(r"attempt", text, re.I):
            reasons.append("does not say how many attempts were made")
        if made < MAX_ATTEMPTS:
            early_stops += 1
            if not re.search(r"budget|deadline|max.retry.after|longer than|exceed", text, re.I):
                reasons.append(f"stopped after {made} attempt(s) without saying why")
        if reasons:
            silent.append(f"{marker} ({made} attempts): {', '.join(reasons)}; said {text[:160]!r}")
    result.check(not silent, f"{len(silent)} of {len(failed)} failed calls do not say why: {silent[:2]}")

    rate_limited = sum(1 for entry in log if entry.get("fault") == "rate_limit")
    bodies = [len({entry["body_hash"] for entry in entries}) for entries in attempts.values() if len(entries) > 1]
    result.figures.update({
        "calls": calls, "concurrency": concurrency, "wall_s": round(wall, 1), "upstream_requests": len(log),
        "upstream_429s": rate_limited, "retries": len(log) - len(attempts), "failed_calls": len(failed),
        "failed_before_last_attempt": early_stops, "max_attempts_seen": max((len(e) for e in attempts.values()), default=0),
        "shortest_wait_after_429_s": round(shortest, 3) if shortest is not None else None,
        "retried_calls_with_identical_bodies": f"{sum(1 for n in bodies if n == 1)}/{len(bodies)}",
    })
