#!/usr/bin/env bash
# Runs KimiSwarm's reliability suite against binaries built from this checkout.
#
# scripts/reliability/reliability.py runs each scenario against its own chaos upstream
# (`kimiswarm-fake-provider --chaos ...`) and `swarm serve` or `swarm run`, on free loopback
# ports, each in a fresh temporary folder: a 429 storm through the gateway, a dead provider with
# a fallback, 5xx bursts, hung, stalled and truncated answers, kill -9 of `swarm run` and of
# `swarm serve` mid-run, and ten parallel runs against a tenant's quota. One PASS/FAIL line per
# scenario with its figures; exits non-zero when any scenario fails. RELIABILITY.md has what each
# checks and its latest figures. The JSON report lands in .build/reliability/report.json.
#
# The default is the bounded mode CI runs (under a minute); `--long` runs more calls and kill
# points, for a person. `--only storm,quota` runs some scenarios; `--keep` keeps their folders.
#
# Needs `swift build` done (.build/debug/swarm and .build/debug/kimiswarm-fake-provider) and
# Python 3 (standard library only: KIMISWARM_TEST_PYTHON, else .build/pyenv/bin/python, else python3).
#
# Usage: scripts/reliability/run.sh [--long] [--only NAMES] [--keep]
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"

python="${KIMISWARM_TEST_PYTHON:-}"
if [ -z "$python" ] && [ -x "$root/.build/pyenv/bin/python" ]; then python="$root/.build/pyenv/bin/python"; fi
if [ -z "$python" ]; then python="$(command -v python3 || true)"; fi
if [ -z "$python" ] || ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 9))' >/dev/null 2>&1; then
    echo "error: no Python 3.9 or newer (set KIMISWARM_TEST_PYTHON)" >&2
    exit 2
fi
for binary in swarm kimiswarm-fake-provider; do
    if [ ! -x "$root/.build/debug/$binary" ]; then
        echo "error: .build/debug/$binary is missing; run swift build first" >&2
        exit 2
    fi
done

mkdir -p "$root/.build/reliability"
exec "$python" "$root/scripts/reliability/reliability.py" --root "$root" \
    --report "$root/.build/reliability/report.json" "$@"
