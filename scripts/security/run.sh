#!/usr/bin/env bash
# Runs KimiSwarm's security suite against a server built from this checkout.
#
# Starts the bundled fake provider and `swarm serve` (a fresh SQLite store in a temporary
# folder, one queue worker, sessions on, a generated master key and super admin key) on free loopback
# ports, runs scripts/security/fuzz.py against it (schemathesis stateless and stateful, the
# extreme-values pass, the destructive pass last), then the raw-HTTP probes when
# scripts/security/http_probes.py exists, and stops both processes. Exits non-zero on any
# failure, after a short summary; the server's log is printed when something failed.
#
# Needs `swift build` done (.build/debug/swarm and .build/debug/kimiswarm-fake-provider) and
# a Python with schemathesis (KIMISWARM_TEST_PYTHON, else .build/pyenv/bin/python; scripts/test
# prepares it). Extra arguments go to fuzz.py, e.g. `--max-examples 5 --passes stateless`.
#
# Usage: scripts/security/run.sh [fuzz.py arguments]
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"
python="${KIMISWARM_TEST_PYTHON:-$root/.build/pyenv/bin/python}"

for binary in swarm kimiswarm-fake-provider; do
    if [ ! -x "$root/.build/debug/$binary" ]; then
        echo "error: .build/debug/$binary is missing; run swift build first" >&2
        exit 2
    fi
done
if ! "$python" -c "import schemathesis, jsonschema" >/dev/null 2>&1; then
    echo "error: $python has no schemathesis; run scripts/test once (it prepares .build/pyenv) or set KIMISWARM_TEST_PYTHON" >&2
    exit 2
fi

work="$(mktemp -d)"
pids=()
stop_all() {
    local pid tries
    for pid in "${pids[@]+"${pids[@]}"}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]+"${pids[@]}"}"; do
        tries=0
        while kill -0 "$pid" 2>/dev/null && [ "$tries" -lt 40 ]; do
            sleep 0.5
            tries=$((tries + 1))
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    pids=()
}
cleanup() {
    stop_all
    rm -rf "$work"
}
trap cleanup EXIT

# A free TCP port on 127.0.0.1, from $1 upwards.
free_port() {
    local port="$1"
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
    echo "$port"
}

# Short enough for the slow-client probes to finish quickly, long enough for any fuzzed request.
request_timeout=4
idle_timeout=6
provider_port="$(free_port 58190)"
server_port="$(free_port $((provider_port + 1)))"
admin_key="ks_$("$python" -c 'import secrets; print(secrets.token_hex(24))')"
secret="$("$python" -c 'import secrets; print(secrets.token_urlsafe(36))')"
master_key="$("$python" -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())')"

"$root/.build/debug/kimiswarm-fake-provider" --port "$provider_port" >"$work/provider.log" 2>&1 &
pids+=("$!")
# HOME and the working folder are the temporary folder, so no kimiswarm.yaml or database URL
# of the developer's leaks in.
(
    cd "$work"
    exec env -u KIMI_CONFIG_FILE -u XDG_CONFIG_HOME -u KIMISWARM_DATABASE_URL -u KIMISWARM_ADMIN_PASSWORD HOME="$work" \
        MOONSHOT_BASE_URL="http://127.0.0.1:$provider_port/v1" MOONSHOT_API_KEY=local \
        KIMISWARM_ADMIN_KEY="$admin_key" KIMISWARM_JWT_SECRET="$secret" KIMISWARM_MASTER_KEY="$master_key" \
        KIMI_SERVER__REQUEST_TIMEOUT="$request_timeout" KIMI_SERVER__IDLE_TIMEOUT="$idle_timeout" \
        "$root/.build/debug/swarm" serve --host 127.0.0.1 --port "$server_port" --data-dir "$work/data" --workers 1
) >"$work/server.log" 2>&1 &
server_pid="$!"
pids+=("$server_pid")

base_url="http://127.0.0.1:$server_port"
waited=0
until curl -fsS -o /dev/null "$base_url/ready" 2>/dev/null; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "error: swarm serve exited before it was ready; its log:" >&2
        tail -n 40 "$work/server.log" >&2
        exit 1
    fi
    if [ "$waited" -ge 120 ]; then
        echo "error: swarm serve was not ready on $base_url within 60 s; its log:" >&2
        tail -n 40 "$work/server.log" >&2
        exit 1
    fi
    sleep 0.5
    waited=$((waited + 1))
done
echo "==> security suite against $base_url (server pid $server_pid)"

status=0
"$python" "$root/scripts/security/fuzz.py" --base-url "$base_url" --admin-key "$admin_key" \
    --report-dir "$root/.build/security" "$@" || status=1

# --- raw-HTTP probes (scripts/security/http_probes.py) ------------------------------------
# Malformed HTTP over raw sockets; it gets the server's address and pid (to check the process
# is still alive). Runs when the file exists.
if [ -f "$root/scripts/security/http_probes.py" ]; then
    echo "==> raw-HTTP probes (http_probes.py)"
    "$python" "$root/scripts/security/http_probes.py" --base-url "$base_url" --pid "$server_pid" \
        --slow-timeout "$request_timeout" --idle-timeout "$idle_timeout" || status=1
fi
# --- end of raw-HTTP probes -----------------------------------------------------------------

if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "error: the server process is gone" >&2
    status=1
fi
if [ "$status" != 0 ]; then
    echo "error: the security suite failed; the server's log ends with:" >&2
    tail -n 60 "$work/server.log" >&2
    echo "(reports: .build/security)" >&2
fi
exit "$status"
