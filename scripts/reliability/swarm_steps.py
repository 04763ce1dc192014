"""Kill points and checks shared by the kill -9 scenarios, read from the chaos upstream's log.

The upstream answers the engine's planner with a graph of AGENTS tasks in LANES lanes, so a run
makes one planner call, one call per agent and one synthesis call, each after a seeded latency.
A kill point is a moment when the log shows a given step under way and no answer ended in the
last QUIET_S seconds (so no finished answer can still be on its way into the journal).
"""

import time

from harness import finished, in_flight, step_key

QUIET_S = 0.3


def chaos_settings(agents, lanes, seed):
    return {"swarm": {"agents": agents, "lanes": lanes}, "latency_ms": 500, "latency_jitter_ms": 700, "seed": seed}


def planning():
    """Kill point: the planner's call is under way."""
    def predicate(log):
        return any(entry["role"] == "planner" for entry in in_flight(log))
    return "planning", predicate


def agents_after(count):
    """Kill point: `count` agent calls were answered and another is under way."""
    def predicate(log):
        done = sum(1 for entry in finished(log) if entry["role"] == "agent")
        return done >= count and any(entry["role"] == "agent" for entry in in_flight(log))
    return f"agents ({count} finished)", predicate


def synthesis():
    """Kill point: the synthesis call is under way."""
    def predicate(log):
        return any(entry["role"] == "synthesiser" for entry in in_flight(log))
    return "synthesis", predicate


def quiet(log):
    """Whether no answer ended in the last QUIET_S seconds."""
    ends = [entry["t_end"] for entry in log if entry.get("t_end")]
    return not ends or time.time() - max(ends) >= QUIET_S


def repeated_finished_steps(log):
    """Steps whose model call was answered in full more than once: paid twice."""
    counts = {}
    for entry in finished(log):
        counts[step_key(entry)] = counts.get(step_key(entry), 0) + 1
    return {key: count for key, count in counts.items() if count > 1}


def missing_steps(log, agents):
    """Steps of the run that never got a full answer."""
    done = {step_key(entry)[:2] for entry in finished(log)}
    wanted = {("planner", None), ("synthesiser", None)} | {("agent", f"task-{n}") for n in range(1, agents + 1)}
    return sorted(wanted - done, key=str)


def describe(key):
    role, agent, turn = key
    return f"{role}{'/' + agent if agent else ''} turn {turn}"
