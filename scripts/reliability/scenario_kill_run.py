"""kill -9 of `swarm run` mid-run, then `swarm run --resume`: no finished call is paid twice.

`swarm run TASK` (planner, AGENTS agents in 3 lanes, synthesis; journal in a fresh data folder)
against the chaos upstream (each answer after 0.5 to 1.2 s). At each kill point (during
planning, mid-agents, during synthesis; more mid-agent points in the long mode) the process is
killed with SIGKILL and `swarm run --resume RUN_ID` continues it.

Pass: the last process exits 0 with the synthesis of every agent's result; in the upstream's
log every step (planner, each agent turn, synthesis) was answered in full exactly once (calls
cut by a kill are sent again; finished ones must come from the journal). Figures: kills,
upstream calls, calls cut by kills, repeated finished steps.
"""

import re
import time

from harness import Fake, Result, ScenarioFailure, Workspace, in_flight, wait_for
from swarm_steps import (agents_after, chaos_settings, describe, missing_steps, planning, quiet, repeated_finished_steps,
                         synthesis)


def run(root, long_mode, keep=False):
    agents = 9 if long_mode else 6
    result = Result("kill-9-swarm-run")
    workspace = Workspace(root, "kill-run", keep)
    started = time.monotonic()
    try:
        fake = Fake(workspace, chaos_settings(agents, 3, seed=21))
        workspace.env = {"MOONSHOT_BASE_URL": fake.base_url + "/v1", "MOONSHOT_API_KEY": "local",
                         "KIMI_CACHE__ENABLED": "false", "KIMI_RATE_LIMIT__MAX_REQUESTS": "100000"}
        swarm = workspace.binary("swarm")
        data, report = workspace.path("data"), workspace.path("report.md")
        common = ["--data-dir", data, "--output", report, "--plain"]
        process = workspace.spawn("swarm-run", [swarm, "run", "Review the reliability of the payments service",
                                                "--provider", "moonshot"] + common, {})
        run_id = wait_for(lambda: run_id_in(process), 60, what="the run id on stderr")
        kills = []
        points = [planning()] + ([agents_after(n) for n in (1, agents // 2, agents - 2)] if long_mode
                                 else [agents_after(agents // 2)]) + [synthesis()]
        for name, predicate in points:
            def ready():
                if not process.alive():
                    raise ScenarioFailure(f"swarm run ended before the kill point '{name}':\n{process.tail()}")
                log = fake.log()
                return predicate(log) and quiet(log)
            wait_for(ready, 90, what=f"the kill point '{name}'")
            cut = len(in_flight(fake.log()))
            process.kill9()
            kills.append(f"{name}: {cut} in flight")
            time.sleep(0.3)  # let the upstream see the connections close
            process = workspace.spawn("swarm-resume", [swarm, "run", "--resume", run_id] + common, {})
        code = process.popen.wait(timeout=180)
        log = fake.log()
        result.check(code == 0, f"the resumed run exited {code}:\n{process.tail()}")
        try:
            answer = open(report, encoding="utf-8").read()
        except OSError:
            answer = ""
        result.check(f"Merged {agents} results" in answer, f"the report is not the synthesis of {agents} results: {answer[:200]!r}")
        repeated = repeated_finished_steps(log)
        result.check(not repeated, "finished steps were called again after a resume: "
                     + ", ".join(f"{describe(key)} ×{count}" for key, count in repeated.items()))
        missing = missing_steps(log, agents)
        result.check(not missing, f"steps never answered in full: {missing}")
        result.figures.update({
            "agents": agents, "kills": len(kills), "kill_points": kills, "upstream_calls": len(log),
            "calls_cut_by_kills": sum(1 for entry in log if entry.get("outcome") == "client_closed"),
            "repeated_finished_steps": sum(count - 1 for count in repeated.values()),
            "wall_s": round(time.monotonic() - started, 1)})
    except ScenarioFailure as error:
        result.check(False, f"{error}\n{workspace.tails()}")
    finally:
        result.notes.append(f"workspace {workspace.folder}")
        workspace.close()
    return result


def run_id_in(process):
    """The run id from `run <ID>` on the process's stderr, once printed."""
    match = re.search(r"^run (\S+)$", process.tail(200), re.M)
    return match.group(1) if match else None
