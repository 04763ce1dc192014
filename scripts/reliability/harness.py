"""Processes and HTTP for the reliability suite (Python 3, standard library only).

A scenario starts the chaos upstream (`kimiswarm-fake-provider`) and `swarm serve` or `swarm run`
on free loopback ports, each in a fresh temporary folder with a clean environment, drives them
over HTTP, reads the upstream's request log (`GET /_chaos/log`) and stops everything it started.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

# Variables of the developer's shell that would change what the servers do.
_DROPPED_PREFIXES = ("KIMI_", "KIMISWARM_", "MOONSHOT_", "OPENAI_", "ANTHROPIC_", "AZURE_OPENAI_", "TOGETHER_",
                     "OPENROUTER_", "VLLM_", "OLLAMA_")


class ScenarioFailure(Exception):
    """A scenario could not run to its checks (a process died, a server never got ready...)."""


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def closed_port():
    """A port whose connections are refused (nothing listens on it): a dead provider."""
    port = free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise ScenarioFailure(f"port {port} unexpectedly accepts connections")
    return port


class Answer:
    """An HTTP answer: status, headers (lower-case names), body text and JSON, and its duration."""

    def __init__(self, status, headers, body, seconds):
        self.status = status
        self.headers = headers
        self.text = body.decode("utf-8", "replace")
        self.seconds = seconds
        try:
            self.json = json.loads(self.text) if self.text else None
        except ValueError:
            self.json = None

    def error_text(self):
        """The error body's message and hint, joined ('' when there is none)."""
        error = self.json.get("error") if isinstance(self.json, dict) else None
        if not isinstance(error, dict):
            return ""
        return " ".join(str(error.get(key) or "") for key in ("message", "hint"))


def http(method, url, body=None, token=None, headers=None, timeout=30):
    """One request; never raises on an HTTP status. Raises OSError when no answer came."""
    fields = dict(headers or {})
    if token:
        fields["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        fields.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data=data, method=method, headers=fields)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload = response.read()
            return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, payload,
                          time.monotonic() - started)
    except urllib.error.HTTPError as error:
        payload = error.read()
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, payload, time.monotonic() - started)


def clean_environment(home, extra):
    """The environment for a child: ours without any KimiSwarm or provider setting, HOME in the
    scenario's folder (so no config file of the developer's is read), plus `extra`."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(_DROPPED_PREFIXES) and key not in ("XDG_CONFIG_HOME",)}
    env["HOME"] = home
    env.update(extra)
    return env


class Process:
    """A child process with its output in a file."""

    def __init__(self, name, argv, env, cwd, log_path):
        self.name = name
        self.log_path = log_path
        self._log = open(log_path, "ab")
        self.popen = subprocess.Popen(argv, env=env, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT,
                                      start_new_session=True)

    @property
    def pid(self):
        return self.popen.pid

    def alive(self):
        return self.popen.poll() is None

    def kill9(self):
        """SIGKILL, and wait for the process to be gone."""
        if self.alive():
            os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)
        self._log.close()

    def stop(self, grace=15):
        """SIGTERM, up to `grace` seconds, then SIGKILL."""
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=30)
        if not self._log.closed:
            self._log.close()

    def tail(self, lines=30):
        try:
            with open(self.log_path, "rb") as handle:
                return b"\n".join(handle.read().splitlines()[-lines:]).decode("utf-8", "replace")
        except OSError:
            return ""


class Fake:
    """The chaos upstream: `kimiswarm-fake-provider --chaos JSON` on a free port."""

    def __init__(self, workspace, chaos=None, name="fake"):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        argv = [workspace.binary("kimiswarm-fake-provider"), "--port", str(self.port), "--quiet"]
        if chaos:
            argv += ["--chaos", json.dumps(chaos)]
        self.process = workspace.spawn(name, argv, {})
        deadline = time.monotonic() + 30
        while True:
            try:
                if http("GET", self.base_url + "/_chaos/config", timeout=2).status == 200:
                    break
            except OSError:
                pass
            if not self.process.alive() or time.monotonic() > deadline:
                raise ScenarioFailure(f"the fake provider did not start:\n{self.process.tail()}")
            time.sleep(0.05)

    def configure(self, **settings):
        answer = http("POST", self.base_url + "/_chaos/config", body=settings, timeout=10)
        if answer.status != 200:
            raise ScenarioFailure(f"POST /_chaos/config {settings}: {answer.status} {answer.text[:200]}")
        return answer.json

    def log(self):
        """Every model call the upstream received so far (dicts, see ChaosLogEntry)."""
        answer = http("GET", self.base_url + "/_chaos/log", timeout=30)
        if answer.status != 200:
            raise ScenarioFailure(f"GET /_chaos/log: {answer.status}")
        return answer.json["entries"]


class Server:
    """`swarm serve` on a free port over a data folder, with a known super admin key."""

    def __init__(self, workspace, data_dir, admin_key, env=None, config=None, workers=2, name="server"):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.admin_key = admin_key
        argv = [workspace.binary("swarm"), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                "--data-dir", data_dir, "--workers", str(workers)]
        if config:
            argv += ["--config", config]
        extra = {"KIMISWARM_ADMIN_KEY": admin_key}
        extra.update(env or {})
        self.started = time.monotonic()
        self.process = workspace.spawn(name, argv, extra)
        self.ready_after = self.wait_ready()

    def wait_ready(self, timeout=90):
        deadline = time.monotonic() + timeout
        while True:
            try:
                if http("GET", self.base_url + "/ready", timeout=2).status == 200:
                    return time.monotonic() - self.started
            except OSError:
                pass
            if not self.process.alive():
                raise ScenarioFailure(f"swarm serve exited before it was ready:\n{self.process.tail()}")
            if time.monotonic() > deadline:
                raise ScenarioFailure(f"swarm serve was not ready within {timeout} s:\n{self.process.tail()}")
            time.sleep(0.1)

    def call(self, method, path, body=None, tenant=None, timeout=60, token=None):
        headers = {"X-KimiSwarm-Tenant": tenant} if tenant else None
        return http(method, self.base_url + path, body=body, token=token or self.admin_key, headers=headers,
                    timeout=timeout)

    def healthy(self):
        try:
            return http("GET", self.base_url + "/health", timeout=5).status == 200
        except OSError:
            return False


class Workspace:
    """A scenario's temporary folder and every process started in it; `close()` stops them."""

    def __init__(self, root, scenario, keep=False):
        self.root = root
        self.folder = tempfile.mkdtemp(prefix=f"kimiswarm-reliability-{scenario}-")
        self.keep = keep
        self.processes = []
        self.env = {}

    def binary(self, name):
        path = os.path.join(self.root, ".build", "debug", name)
        if not os.access(path, os.X_OK):
            raise ScenarioFailure(f"{path} is missing; run swift build first")
        return path

    def path(self, *parts):
        return os.path.join(self.folder, *parts)

    def admin_key(self):
        return "ks_" + secrets.token_hex(24)

    def spawn(self, name, argv, extra_env):
        """Starts `argv` in the folder with a clean environment plus the workspace's and `extra_env`."""
        env = clean_environment(self.folder, {**self.env, **extra_env})
        log = self.path(f"{name}-{len(self.processes)}.log")
        process = Process(name, argv, env, self.folder, log)
        self.processes.append(process)
        return process

    def write(self, name, text):
        with open(self.path(name), "w", encoding="utf-8") as handle:
            handle.write(text)
        return self.path(name)

    def tails(self, lines=25):
        """The end of every process's log, for a failure report."""
        return "\n".join(f"--- {p.name} (pid {p.pid}) ---\n{p.tail(lines)}" for p in self.processes)

    def close(self):
        for process in reversed(self.processes):
            try:
                process.stop(grace=5)
            except Exception:  # noqa: BLE001 — cleanup must go on
                pass
        if not self.keep:
            shutil.rmtree(self.folder, ignore_errors=True)


def step_key(entry):
    """The step of a swarm run a logged model call belongs to: role, agent and turn."""
    return (entry.get("role"), entry.get("agent"), entry.get("turn"))


def in_flight(entries):
    """Logged calls whose answer has not ended."""
    return [entry for entry in entries if entry.get("outcome") is None]


def finished(entries):
    """Logged calls whose answer was delivered whole with status 200."""
    return [entry for entry in entries if entry.get("outcome") == "completed" and entry.get("status_sent") == 200]


def wait_for(condition, timeout, interval=0.05, what="a condition"):
    """Polls `condition()` until it returns something truthy (returned), or raises ScenarioFailure."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise ScenarioFailure(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


class Result:
    """One scenario's verdict: figures, and the problems that fail it."""

    def __init__(self, name):
        self.name = name
        self.figures = {}
        self.problems = []
        self.notes = []
        self.started = time.monotonic()
        self.seconds = 0.0

    def check(self, condition, problem):
        if not condition:
            self.problems.append(problem)
        return condition

    @property
    def passed(self):
        return not self.problems

    def line(self):
        figures = ", ".join(f"{key}={_format(value)}" for key, value in self.figures.items())
        verdict = "PASS" if self.passed else "FAIL"
        text = f"{verdict} {self.name} ({self.seconds:.1f} s): {figures}"
        if self.problems:
            text += "\n    " + "\n    ".join(self.problems)
        return text

    def as_json(self):
        return {"name": self.name, "passed": self.passed, "seconds": round(self.seconds, 1), "figures": self.figures,
                "problems": self.problems, "notes": self.notes}


def _format(value):
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:.1f}"
    return str(value)
