"""kill -9 of `swarm serve` mid-run, restarted on the same data folder: the run resumes and ends.

A run (`POST /api/v1/runs`, the planner decides: AGENTS agents in 3 lanes) on `swarm serve`
(SQLite in a fresh data folder, 2 workers) against the chaos upstream (each answer after 0.5 to
1.2 s). At each kill point the server is killed with SIGKILL and started again on the same
folder. The CI mode kills one run mid-agents and during synthesis; the long mode runs two
rounds, one killed during planning and after the first agent, one mid-agents and during
synthesis. (At most two kills per run: each restart claims the run's job again, and a job whose
third lease expires is dead-lettered, the queue's guard against a run that crashes its worker.)

Pass: the run ends `succeeded` within RUN_TIMEOUT_S; in the upstream's log every step was
answered in full exactly once; the run's event stream reads like one uninterrupted run (one
`started`, one `planned`, one `agent_started` and one `agent_finished` per agent, one
`synthesis_started`, one `finished`). Figures: the resume delay after each restart (from the
server being ready to the run's next upstream call; today it includes the wait for the killed
server's job lease, 30 s, to expire), repeated steps and repeated events.
"""

import json
import time

from harness import Fake, Result, ScenarioFailure, Server, Workspace, http, wait_for
from swarm_steps import (agents_after, chaos_settings, describe, missing_steps, planning, quiet, repeated_finished_steps,
                         synthesis)

RUN_TIMEOUT_S = 240
RESUME_TIMEOUT_S = 120
ACTIVE_STATES = ("queued", "running")  # any other status is final (succeeded, failed, cancelled, ...)


def run(root, long_mode, keep=False):
    agents = 9 if long_mode else 6
    rounds = ([[planning(), agents_after(1)], [agents_after(agents // 2), synthesis()]] if long_mode
              else [[agents_after(agents // 2), synthesis()]])
    result = Result("kill-9-swarm-serve")
    started = time.monotonic()
    totals = {"kills": 0, "resume_delay_s": [], "upstream_calls": 0, "repeated_finished_steps": 0, "repeated_events": 0}
    for number, points in enumerate(rounds, 1):
        workspace = Workspace(root, f"kill-serve-{number}", keep)
        try:
            one_round(result, workspace, agents, points, totals, seed=30 + number)
        except ScenarioFailure as error:
            result.check(False, f"round {number}: {error}\n{workspace.tails()}")
        finally:
            result.notes.append(f"workspace {workspace.folder}")
            workspace.close()
    result.figures.update({"agents": agents, "rounds": len(rounds), **totals,
                           "wall_s": round(time.monotonic() - started, 1)})
    return result


def one_round(result, workspace, agents, points, totals, seed):
    fake = Fake(workspace, chaos_settings(agents, 3, seed=seed))
    workspace.env = {"MOONSHOT_BASE_URL": fake.base_url + "/v1", "MOONSHOT_API_KEY": "local",
                     "KIMI_CACHE__ENABLED": "false", "KIMI_RATE_LIMIT__MAX_REQUESTS": "100000"}
    data, key = workspace.path("data"), workspace.admin_key()
    server = Server(workspace, data, key, workers=2)
    created = server.call("POST", "/api/v1/runs", {"task": "Review the reliability of the payments service"})
    if created.status != 202:
        raise ScenarioFailure(f"POST /api/v1/runs: {created.status} {created.text[:300]}")
    run_id = created.json["id"]
    for name, predicate in points:
        def ready():
            if not server.process.alive():
                raise ScenarioFailure(f"swarm serve died before the kill point '{name}'")
            log = fake.log()
            return predicate(log) and quiet(log)
        wait_for(ready, 120, what=f"the kill point '{name}'")
        server.process.kill9()
        killed_at = time.time()
        server = Server(workspace, data, key, workers=2)
        ready_at = time.time()

        def resumed():
            calls = [entry for entry in fake.log() if entry["t"] > killed_at]
            if calls:
                return calls
            state = run_state(server, run_id)
            if state and state.get("status") and state["status"] not in ACTIVE_STATES:
                raise ScenarioFailure(f"the run ended {state.get('status')} after the kill at '{name}' without calling "
                                      f"the upstream again")
            return None
        first = wait_for(resumed, RESUME_TIMEOUT_S, interval=0.2, what=f"the run to call the upstream again after the kill at '{name}'")
        totals["kills"] += 1
        totals["resume_delay_s"].append(round(min(entry["t"] for entry in first) - ready_at, 1))
    final = wait_for(lambda: finished_state(server, run_id), RUN_TIMEOUT_S, interval=0.5, what="the run to end")
    result.check(final.get("status") == "succeeded", f"the run ended {final.get('status')}")
    log = fake.log()
    repeated = repeated_finished_steps(log)
    result.check(not repeated, "finished steps were called again after a restart: "
                 + ", ".join(f"{describe(key)} ×{count}" for key, count in repeated.items()))
    missing = missing_steps(log, agents)
    result.check(not missing, f"steps never answered in full: {missing}")
    events = event_counts(server, run_id)
    duplicated = {name: count for name, count in events.items() if count > 1}
    result.check(not duplicated, "the resumed run's events repeat: "
                 + ", ".join(f"{name} ×{count}" for name, count in sorted(duplicated.items())))
    result.check(server.healthy(), "the server is not healthy at the end")
    totals["upstream_calls"] += len(log)
    totals["repeated_finished_steps"] += sum(count - 1 for count in repeated.values())
    totals["repeated_events"] += sum(count - 1 for count in duplicated.values())


def run_state(server, run_id):
    try:
        answer = server.call("GET", f"/api/v1/runs/{run_id}", timeout=10)
    except OSError:
        return None
    return answer.json if answer.status == 200 and isinstance(answer.json, dict) else None


def finished_state(server, run_id):
    state = run_state(server, run_id)
    return state if state and state.get("status") and state["status"] not in ACTIVE_STATES else None


def event_counts(server, run_id):
    """How often each event of the run's stream occurs, per type and agent (`agent_started task-1`)."""
    answer = http("GET", f"{server.base_url}/api/v1/runs/{run_id}/events", token=server.admin_key, timeout=30)
    if answer.status != 200:
        raise ScenarioFailure(f"GET /runs/{run_id}/events: {answer.status} {answer.text[:200]}")
    counts, kind = {}, None
    for line in answer.text.splitlines():
        if line.startswith("event:"):
            kind = line[6:].strip()
        elif line.startswith("data:") and kind in ("started", "planned", "agent_started", "agent_finished",
                                                   "synthesis_started", "finished"):
            try:
                agent = json.loads(line[5:]).get("agent")
            except ValueError:
                agent = None
            name = f"{kind} {agent}" if agent and kind.startswith("agent_") else kind
            counts[name] = counts.get(name, 0) + 1
    return counts
