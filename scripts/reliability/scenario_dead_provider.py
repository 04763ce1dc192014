"""Dead provider: the router's first provider refuses connections; calls fall back at once.

A config file with two OpenAI-compatible providers, `dead` (a loopback port nothing listens on)
and `live` (the chaos upstream, no faults), the router's default `dead/kimi-k2.6` and the
fallback chain `dead: [live/kimi-k2.6]`, shipped retry and circuit-breaker settings. CALLS
gateway calls one after another.

Pass: every call answers 200 from the live provider (the upstream logged it), each in under
1 s (`TARGET_S`). Figures: the time of each call.
"""

import secrets

from harness import Fake, Result, Server, Workspace, closed_port, http

TARGET_S = 1.0

CONFIG = """\
default_provider: dead
providers:
  dead:
    kind: openai_compatible
    base_url: http://127.0.0.1:{dead}/v1
    api_key_env: DEAD_API_KEY
    default_model: kimi-k2.6
  live:
    kind: openai_compatible
    base_url: {live}/v1
    api_key_env: LIVE_API_KEY
    default_model: kimi-k2.6
router:
  default: dead/kimi-k2.6
fallbacks:
  dead: [live/kimi-k2.6]
"""


def run(root, long_mode, keep=False):
    calls = 10 if long_mode else 3
    result = Result("dead-provider")
    workspace = Workspace(root, "dead", keep)
    try:
        fake = Fake(workspace)
        dead = closed_port()
        config = workspace.write("kimiswarm.yaml", CONFIG.format(dead=dead, live=fake.base_url))
        server = Server(workspace, workspace.path("data"), workspace.admin_key(), workers=0, config=config,
                        env={"DEAD_API_KEY": "dead", "LIVE_API_KEY": "live", "KIMI_CACHE__ENABLED": "false"})
        nonce = secrets.token_hex(4)
        times, statuses = [], []
        for index in range(calls):
            marker = f"dead-{nonce}-{index:03d}"
            body = {"model": "kimi-k2.6", "messages": [{"role": "user", "content": f"Answer {marker}"}]}
            try:
                answer = http("POST", server.base_url + "/v1/chat/completions", body=body, token=server.admin_key,
                              timeout=120)
            except OSError as error:
                result.check(False, f"call {index} got no answer within 120 s ({error})")
                break
            times.append(round(answer.seconds, 3))
            statuses.append(answer.status)
            result.check(answer.status == 200, f"call {index}: {answer.status} {answer.error_text()[:200]}")
        served = " ".join(entry.get("last_user", "") for entry in fake.log())
        missing = [index for index in range(len(times)) if f"dead-{nonce}-{index:03d}" not in served]
        result.check(not missing, f"calls {missing} never reached the live provider")
        slow = [f"call {index}: {seconds:.2f} s" for index, seconds in enumerate(times) if seconds >= TARGET_S]
        result.check(not slow, f"{len(slow)} of {len(times)} calls took {TARGET_S:.0f} s or more to fall back: {slow[:5]}")
        result.figures.update({"calls": calls, "call_s": times, "max_s": max(times, default=None),
                               "target_s": TARGET_S})
        result.check(server.healthy(), "the server is not healthy")
    finally:
        result.notes.append(f"workspace {workspace.folder}")
        workspace.close()
    return result
