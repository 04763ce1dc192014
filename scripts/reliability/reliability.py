#!/usr/bin/env python3
"""KimiSwarm's reliability suite: the platform under upstream faults, crashes and parallel spend.

Each scenario starts its own chaos upstream (`kimiswarm-fake-provider --chaos ...`) and
`swarm serve` or `swarm run` from .build/debug, on free loopback ports, in a fresh temporary
folder, and prints one PASS/FAIL line with its figures. The process exits 1 when any scenario
fails. RELIABILITY.md describes every scenario, its pass criterion and its latest figures.

Usage: reliability.py [--long] [--only NAME[,NAME...]] [--report FILE] [--keep]
  --long    the longer mode for a person: more calls, more kill points (default: the bounded CI mode)
  --only    run these scenarios only: storm, dead-provider, faults, kill-run, kill-serve, quota
  --report  write the results as JSON to FILE
  --keep    keep each scenario's folder (logs of every process) for a look afterwards
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import scenario_dead_provider  # noqa: E402
import scenario_faults  # noqa: E402
import scenario_kill_run  # noqa: E402
import scenario_kill_serve  # noqa: E402
import scenario_quota  # noqa: E402
import scenario_storm  # noqa: E402
from harness import Result  # noqa: E402

SCENARIOS = [
    ("storm", scenario_storm),
    ("dead-provider", scenario_dead_provider),
    ("faults", scenario_faults),
    ("kill-run", scenario_kill_run),
    ("kill-serve", scenario_kill_serve),
    ("quota", scenario_quota),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--long", action="store_true", help="more calls and kill points (for a person)")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--report", help="write the results as JSON to this file")
    parser.add_argument("--keep", action="store_true", help="keep each scenario's temporary folder")
    parser.add_argument("--root", default=os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
    options = parser.parse_args()
    wanted = [name for name in options.only.split(",") if name]
    unknown = [name for name in wanted if name not in dict(SCENARIOS)]
    if unknown:
        parser.error(f"unknown scenario(s) {unknown}; known: {[name for name, _ in SCENARIOS]}")

    mode = "long" if options.long else "ci"
    print(f"==> reliability suite ({mode} mode)", flush=True)
    results, started = [], time.monotonic()
    for name, module in SCENARIOS:
        if wanted and name not in wanted:
            continue
        print(f"--> {name}", flush=True)
        scenario_started = time.monotonic()
        try:
            result = module.run(options.root, options.long, keep=options.keep)
        except Exception as error:  # noqa: BLE001 — a crashed scenario is a failed one
            result = Result(name)
            result.check(False, f"the scenario crashed: {error!r}")
        result.seconds = time.monotonic() - scenario_started
        print(result.line(), flush=True)
        if options.keep:
            for note in result.notes:
                print(f"    {note}")
        results.append(result)

    failed = [result.name for result in results if not result.passed]
    total = time.monotonic() - started
    print(f"==> {len(results) - len(failed)} of {len(results)} scenarios passed in {total:.0f} s"
          + (f"; failed: {', '.join(failed)}" if failed else ""), flush=True)
    if options.report:
        os.makedirs(os.path.dirname(os.path.abspath(options.report)), exist_ok=True)
        with open(options.report, "w", encoding="utf-8") as handle:
            json.dump({"mode": mode, "seconds": round(total, 1), "results": [r.as_json() for r in results]}, handle, indent=2)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
