"""Upstream faults: 5xx bursts, hung connections, stalled and truncated answers, via the gateway.

For each fault a fresh `swarm serve` (provider timeouts shortened in a config file: request 4 s,
first byte 3 s, stream idle 2 s, connect 2 s; shipped retries: 3 attempts) in front of a fresh
chaos upstream; gateway calls, plain and streaming, one after another:

- `5xx-burst`: before each call the upstream fails the next K calls (500 or 503), K = 2, 1, 3, 0.
- `hang`: half of the calls (seeded) are accepted and never answered.
- `stall`: half of the answers stop half-way and stay silent (a stream after half its events).
- `truncate`: half of the answers are cut half-way (a stream closed without `[DONE]`).

Pass: every call ends within the configured timeouts (attempts × request timeout + backoff,
plus 3 s), either answered (plain: 200 with a message; stream: `[DONE]` and no error) or with a
clear error (an HTTP 429/502/503/504 with an error message, or a stream that ends with an error
event); a burst shorter than the attempts is retried to success; after the faults stop, calls
succeed again within RECOVERY_S (at once, or once an opened circuit's 30 s reset timeout has
passed) and `/health` answers. Figures per fault: calls answered, clear errors, the longest
call, and how long after the faults calls succeeded again.
"""

import http.client
import json
import time
import urllib.parse

from harness import Fake, Result, Server, Workspace

MAX_ATTEMPTS = 3
REQUEST_TIMEOUT = 4
BOUND_S = MAX_ATTEMPTS * REQUEST_TIMEOUT + 1.5 + 3
RECOVERY_S = 45  # the circuit breaker's reset timeout (30 s), its probes, and slack

CONFIG = """\
providers:
  moonshot:
    base_url: {upstream}/v1
    request_timeout: {request_timeout}
    first_byte_timeout: 3
    stream_idle_timeout: 2
    connect_timeout: 2
rate_limit:
  max_requests: 100000
"""

PHASES = [
    ("5xx-burst", None),
    ("hang", {"hang": 0.5, "seed": 3}),
    ("stall", {"stall": 0.5, "seed": 4}),
    ("truncate", {"truncate": 0.5, "seed": 5}),
]


def run(root, long_mode, keep=False):
    result = Result("upstream-faults")
    calls_per_phase = 10 if long_mode else 4
    outcomes = {}
    for phase, chaos in PHASES:
        workspace = Workspace(root, f"faults-{phase}", keep)
        try:
            fake = Fake(workspace, name="fake")
            config = workspace.write("kimiswarm.yaml", CONFIG.format(upstream=fake.base_url,
                                                                     request_timeout=REQUEST_TIMEOUT))
            server = Server(workspace, workspace.path("data"), workspace.admin_key(), workers=0, config=config,
                            env={"MOONSHOT_API_KEY": "local", "KIMI_CACHE__ENABLED": "false"})
            tally = outcomes.setdefault(phase, {"ok": 0, "clear_error": 0, "longest_s": 0.0})
            if chaos is None:
                run_bursts(result, fake, server, tally)
            else:
                fake.configure(**chaos)
                for index in range(calls_per_phase):
                    one_call(result, server, phase, index, stream=index % 2 == 1, tally=tally)
            fake.configure(hang=0, stall=0, truncate=0, burst=0)
            recovered, last = recover(server)
            tally["recovered_s"] = recovered
            result.check(recovered is not None,
                         f"{phase}: calls still fail {RECOVERY_S} s after the faults stopped (last: {last['detail']})")
            result.check(server.healthy(), f"{phase}: the server is not healthy after the faults")
        except Exception as error:  # noqa: BLE001 — report, then go on with the next phase
            result.check(False, f"{phase}: {error}\n{workspace.tails()}")
        finally:
            workspace.close()
    result.figures.update({phase: f"{t['ok']} ok, {t['clear_error']} clear errors, longest {t['longest_s']:.1f} s, "
                                  f"answering again after {t.get('recovered_s')} s" for phase, t in outcomes.items()})
    result.figures["bound_s"] = BOUND_S
    return result


def recover(server):
    """Seconds from the end of the faults until a call answers 200 again (an open circuit stays
    open for its reset timeout, 30 s), or None after RECOVERY_S; and the last call's outcome."""
    started = time.monotonic()
    while True:
        last = gateway_call(server, "after the faults", stream=False)
        if last["kind"] == "ok":
            return round(time.monotonic() - started, 1), last
        if time.monotonic() - started > RECOVERY_S:
            return None, last
        time.sleep(1)


def run_bursts(result, fake, server, tally):
    # Two bursts of 2 and 1 use the retry budget's 3 retries a window allows a handful of calls.
    for index, (burst, status) in enumerate([(2, 500), (1, 503), (3, 503), (0, 500)]):
        fake.configure(burst=burst, burst_status=status)
        outcome = one_call(result, server, "5xx-burst", index, stream=index % 2 == 1, tally=tally)
        if burst < MAX_ATTEMPTS:
            result.check(outcome["kind"] == "ok",
                         f"5xx-burst: call {index} after a burst of {burst} was not retried to success: {outcome['detail']}")


def one_call(result, server, phase, index, stream, tally):
    outcome = gateway_call(server, f"{phase} call {index}", stream=stream)
    kind = outcome["kind"]
    tally["longest_s"] = max(tally["longest_s"], outcome["seconds"])
    if kind in ("ok", "clear_error"):
        tally[kind] += 1
    result.check(kind in ("ok", "clear_error"),
                 f"{phase}: call {index} ({'stream' if stream else 'plain'}) {kind}: {outcome['detail']}")
    result.check(outcome["seconds"] <= BOUND_S,
                 f"{phase}: call {index} took {outcome['seconds']:.1f} s, over the {BOUND_S:.1f} s the timeouts allow")
    return outcome


def gateway_call(server, text, stream):
    """One gateway call read to its end with an overall deadline; its kind: ok, clear_error,
    unclear_error, silent_end or hung."""
    body = {"model": "kimi-k2.6", "messages": [{"role": "user", "content": f"Answer {text}"}], "stream": stream}
    url = urllib.parse.urlparse(server.base_url)
    started = time.monotonic()
    deadline = started + BOUND_S + 20
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
    try:
        connection.request("POST", "/v1/chat/completions", body=json.dumps(body),
                           headers={"Authorization": f"Bearer {server.admin_key}", "Content-Type": "application/json"})
        while True:
            try:
                response = connection.getresponse()
                break
            except TimeoutError:
                if time.monotonic() > deadline:
                    return outcome("hung", started, "no response head")
        data = b""
        while True:
            try:
                chunk = response.read1(65536) if hasattr(response, "read1") else response.read(65536)
            except TimeoutError:
                if time.monotonic() > deadline:
                    return outcome("hung", started, f"silent after {len(data)} bytes")
                continue
            if not chunk:
                break
            data += chunk
            if time.monotonic() > deadline:
                return outcome("hung", started, f"still sending after {len(data)} bytes")
        return classify(response.status, data, stream, started)
    except (OSError, http.client.HTTPException) as error:
        return outcome("unclear_error", started, f"connection error {error!r}")
    finally:
        connection.close()


def classify(status, data, stream, started):
    text = data.decode("utf-8", "replace")
    if status != 200:
        try:
            message = json.loads(text)["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = ""
        if status in (429, 502, 503, 504) and message:
            return outcome("clear_error", started, f"{status} {message}")
        return outcome("unclear_error", started, f"{status} {text[:200]}")
    if not stream:
        try:
            content = json.loads(text)["choices"][0]["message"]["content"]
        except (ValueError, KeyError, TypeError, IndexError):
            return outcome("unclear_error", started, f"200 without a message: {text[:200]}")
        return outcome("ok", started, content[:60])
    events = [line[5:].strip() for line in text.splitlines() if line.startswith("data:")]
    for event in events:
        if event != "[DONE]":
            try:
                error = json.loads(event).get("error")
            except ValueError:
                return outcome("unclear_error", started, f"a stream event is not JSON: {event[:120]}")
            if isinstance(error, dict) and error.get("message"):
                return outcome("clear_error", started, f"stream error event: {error['message']}")
    if events and events[-1] == "[DONE]":
        return outcome("ok", started, f"{len(events)} events")
    return outcome("silent_end", started, f"the stream ended without [DONE] or an error event ({len(events)} events)")


def outcome(kind, started, detail):
    return {"kind": kind, "seconds": time.monotonic() - started, "detail": detail}
