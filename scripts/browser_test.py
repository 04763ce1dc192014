#!/usr/bin/env python3
"""Real-browser test of the KimiSwarm web dashboard (run by scripts/test).

Starts headless Chromium, drives it over the DevTools protocol (CDP) and walks the
dashboard as a user would: sign in, estimate and start a run, watch it finish live, visit
every page, dark mode, a narrow window, sign out. Screenshots of each page go to --out.
The browser reaches the server through a local TCP proxy that cuts every connection once
while the run is going: the run view must show that it is reconnecting, resume the event
stream by itself and still see every event exactly once.

It fails (exit 1) on any JavaScript error: an uncaught exception, console.error or
console.assert, a browser log entry of level error (failed sub-resource loads and CSP
violations land there) and a main document answered with HTTP status >= 400. On failure it
prints the step, the current URL and every error with its URL, and saves
FAILED-<step>.png in --out.

The pages are found by the dashboard's page contract only: body[data-page=...], the form
and field names, #estimate, main[data-run-status], svg#run-graph g.node[data-state],
#report, #agent-output, svg.chart, form#sign-out.

Usage:
    browser_test.py --base-url http://127.0.0.1:PORT --email E --password P --out DIR
                    [--chromium PATH] [--timeout 180]

Only dependency: the `websockets` package (scripts/test installs it in .build/pyenv).
By hand, against a running `swarm serve`:
    .build/pyenv/bin/python scripts/browser_test.py --base-url http://127.0.0.1:8080 \
        --email admin@localhost --password="$KIMISWARM_ADMIN_PASSWORD" --out /tmp/screens
"""

import argparse
import asyncio
import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from websockets.asyncio.client import connect

TASK = "Review the sign-in flow of our web shop for security problems"


class StepFailure(Exception):
    """A check of the flow failed; the message says which."""


# --- Chromium --------------------------------------------------------------------------


def find_chromium(explicit):
    if explicit:
        return explicit
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    raise SystemExit("error: Chromium not found on PATH (Debian: apt-get install chromium); or pass --chromium PATH")


class Chromium:
    """A headless Chromium in its own process group with a throwaway profile."""

    def __init__(self, binary):
        self.binary = binary
        self.profile = tempfile.mkdtemp(prefix="kimiswarm-chromium-")
        self.log_path = os.path.join(self.profile, "chromium.log")
        self.process = None

    def start(self, timeout=30.0):
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [
                self.binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--remote-debugging-port=0",
                "--remote-debugging-address=127.0.0.1",
                f"--user-data-dir={self.profile}",
                "--window-size=1280,900",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-features=Translate,MediaRouter,OptimizationHints",
                "--password-store=basic",
                "--use-mock-keychain",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # its own process group: stop() ends renderers too
        )
        log.close()
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"error: Chromium exited with status {self.process.returncode}:\n{self.log_tail()}")
            try:
                with open(port_file) as f:
                    lines = f.read().splitlines()
                if lines and lines[0].strip().isdigit():
                    return int(lines[0].strip())
            except FileNotFoundError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"error: Chromium did not write DevToolsActivePort within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait(timeout=10)
        elif self.process is not None:
            # The browser is gone; end any of its children still in the group.
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        shutil.rmtree(self.profile, ignore_errors=True)


def page_websocket_url(port):
    # No proxy for loopback, whatever the environment says.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + 15
    while True:
        with opener.open(f"http://127.0.0.1:{port}/json/list", timeout=5) as response:
            targets = json.load(response)
        pages = [t for t in targets if t.get("type") == "page" and t.get("webSocketDebuggerUrl")]
        if pages:
            return pages[0]["webSocketDebuggerUrl"]
        if time.monotonic() > deadline:
            raise SystemExit(f"error: Chromium has no page target: {targets}")
        time.sleep(0.2)


# --- A TCP proxy that can drop every connection -----------------------------------------


class DroppingProxy:
    """Forwards 127.0.0.1:<port> to the server byte for byte. drop() closes every open
    connection, as a flaky network or a restarting load balancer would: the browser's event
    stream breaks mid-run and the page must reconnect and resume by itself."""

    def __init__(self, target_host, target_port):
        self.target = (target_host, target_port)
        self.writers = set()
        self.server = None
        self.port = None

    async def start(self):
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self.port

    async def _serve(self, client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.close()
            return
        self.writers.update((client_writer, server_writer))

        async def pipe(reader, writer):
            try:
                while chunk := await reader.read(65536):
                    writer.write(chunk)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                writer.close()
                self.writers.discard(writer)

        try:
            await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))
        except asyncio.CancelledError:  # the test is over
            pass

    def drop(self):
        count = len(self.writers) // 2
        for writer in list(self.writers):
            writer.transport.abort()
        self.writers.clear()
        return count

    async def stop(self):
        self.drop()
        if self.server is not None:
            self.server.close()


# --- DevTools protocol -----------------------------------------------------------------


class CDP:
    """One page target's DevTools session: send() awaits the answer with the same id;
    events are queued, and the JavaScript errors among them are collected in `errors`."""

    def __init__(self, websocket):
        self.ws = websocket
        self.next_id = 0
        self.pending = {}
        self.events = asyncio.Queue()
        self.errors = []  # (kind, text, url)
        self.loads = 0  # Page.loadEventFired count: a navigation finished
        self.documents = []  # (status, url) of main documents, newest last
        self.expected_statuses = set()
        # URL parts whose failed network loads are expected for now (a deliberate drop).
        self.expected_network_failures = set()
        self.reader = asyncio.create_task(self._read())

    async def _read(self):
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                if "id" in message:
                    future = self.pending.pop(message["id"], None)
                    if future is not None and not future.done():
                        future.set_result(message)
                else:
                    self._observe(message)
                    self.events.put_nowait(message)
        except Exception as error:  # the socket closed: fail whatever is waiting
            for future in self.pending.values():
                if not future.done():
                    future.set_exception(ConnectionError(f"DevTools connection lost: {error}"))
            self.pending.clear()

    async def send(self, method, params=None, timeout=30.0):
        self.next_id += 1
        message_id = self.next_id
        future = asyncio.get_running_loop().create_future()
        self.pending[message_id] = future
        await self.ws.send(json.dumps({"id": message_id, "method": method, "params": params or {}}))
        try:
            answer = await asyncio.wait_for(future, timeout)
        finally:
            self.pending.pop(message_id, None)
        if "error" in answer:
            raise StepFailure(f"{method} failed: {answer['error']}")
        return answer.get("result", {})

    def _observe(self, message):
        method = message.get("method")
        params = message.get("params", {})
        if method == "Page.loadEventFired":
            self.loads += 1
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("text", "exception")
            exception = details.get("exception", {})
            if exception.get("description"):
                text = f"{text} {exception['description']}"
            self.errors.append(("uncaught exception", text, details.get("url") or frame_url(details.get("stackTrace"))))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(remote_object_text(arg) for arg in params.get("args", []))
            self.errors.append((f"console.{params['type']}", text, frame_url(params.get("stackTrace"))))
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            expected = entry.get("source") == "network" and any(part in entry.get("url", "") for part in self.expected_network_failures)
            if entry.get("level") == "error" and not expected:
                self.errors.append((f"browser log ({entry.get('source', '?')})", entry.get("text", ""), entry.get("url", "")))
        elif method == "Network.responseReceived" and params.get("type") == "Document":
            response = params.get("response", {})
            status = int(response.get("status", 0))
            url = response.get("url", "")
            self.documents.append((status, url))
            if status >= 400 and status not in self.expected_statuses:
                self.errors.append(("document HTTP status", f"HTTP {status}", url))

    def check_errors(self):
        if self.errors:
            raise StepFailure(f"{len(self.errors)} browser error(s), first: {format_error(self.errors[0])}")

    async def evaluate(self, expression, timeout=30.0):
        result = await self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            timeout=timeout,
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            description = details.get("exception", {}).get("description") or details.get("text")
            raise StepFailure(f"evaluating {expression[:80]!r} threw: {description}")
        return result.get("result", {}).get("value")

    async def close(self):
        await self.ws.close()
        self.reader.cancel()


def frame_url(stack):
    frames = (stack or {}).get("callFrames") or []
    return frames[0].get("url", "") if frames else ""


def remote_object_text(obj):
    if "value" in obj:
        return str(obj["value"])
    return obj.get("description") or obj.get("type", "?")


def format_error(error):
    kind, text, url = error
    hint = ""
    if urllib.parse.urlparse(url or "").path == "/favicon.ico":
        hint = ' (browsers fetch /favicon.ico unless the page declares <link rel="icon">)'
    return f"{kind}: {text} (at {url or 'unknown URL'}){hint}"


def js(value):
    """A Python value as a JavaScript literal."""
    return json.dumps(value)


# --- The flow --------------------------------------------------------------------------


class BrowserTest:
    def __init__(self, cdp, base_url, out, timeout, proxy=None):
        self.cdp = cdp
        self.proxy = proxy
        self.base = base_url.rstrip("/")
        self.out = out
        self.timeout = timeout
        self.pages = 0
        self.screenshots = 0
        self.run_path = None

    # Navigation and waiting

    async def wait_for(self, expression, what, timeout=None, interval=0.1):
        """Polls a JavaScript expression until it is truthy; fails on browser errors."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            self.cdp.check_errors()
            try:
                value = await self.cdp.evaluate(expression, timeout=10)
            except StepFailure:
                value = None  # e.g. the context went away mid-navigation; try again
            if value:
                return value
            if time.monotonic() > deadline:
                raise StepFailure(f"timed out waiting for {what}")
            await asyncio.sleep(interval)

    async def after_navigation(self, loads_before, page):
        """Waits for a finished load after `loads_before`, then for body[data-page=page]."""
        deadline = time.monotonic() + self.timeout
        while self.cdp.loads <= loads_before:
            self.cdp.check_errors()
            if time.monotonic() > deadline:
                raise StepFailure(f"no page load finished (waiting for data-page={page!r})")
            await asyncio.sleep(0.05)
        await self.wait_for(
            "document.readyState === 'complete' && document.body !== null",
            "the document to finish loading",
        )
        actual = await self.cdp.evaluate("document.body.dataset.page || ''")
        if actual != page:
            url = await self.cdp.evaluate("location.href")
            raise StepFailure(f"expected body[data-page={page!r}], got {actual!r} at {url}")
        self.pages += 1

    async def goto(self, path, page):
        loads = self.cdp.loads
        result = await self.cdp.send("Page.navigate", {"url": self.base + path})
        if result.get("errorText"):
            raise StepFailure(f"navigating to {path} failed: {result['errorText']}")
        await self.after_navigation(loads, page)

    async def submit(self, action_js, page):
        """Runs JavaScript that submits a form or clicks a submit button, then waits."""
        loads = self.cdp.loads
        await self.cdp.evaluate(action_js)
        await self.after_navigation(loads, page)

    async def require(self, expression, what):
        if not await self.cdp.evaluate(expression):
            raise StepFailure(f"expected {what}")

    async def set_field(self, selector, value):
        """Sets a form field's value (as typing would) and checks it took."""
        ok = await self.cdp.evaluate(
            f"""(() => {{
                const field = document.querySelector({js(selector)});
                if (!field) return 'missing';
                field.value = {js(value)};
                field.dispatchEvent(new Event('input', {{bubbles: true}}));
                field.dispatchEvent(new Event('change', {{bubbles: true}}));
                return field.value === {js(value)} ? 'ok' : 'rejected (value is ' + JSON.stringify(field.value) + ')';
            }})()"""
        )
        if ok != "ok":
            raise StepFailure(f"cannot set {selector} to {value!r}: {ok}")

    # Screenshots

    async def screenshot(self, name, full_page=False):
        params = {"format": "png"}
        if full_page:
            metrics = await self.cdp.send("Page.getLayoutMetrics")
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            params["clip"] = {
                "x": 0,
                "y": 0,
                "width": max(1, int(size["width"])),
                "height": max(1, int(size["height"])),
                "scale": 1,
            }
            params["captureBeyondViewport"] = True
        result = await self.cdp.send("Page.captureScreenshot", params, timeout=60)
        with open(os.path.join(self.out, name), "wb") as f:
            f.write(base64.b64decode(result["data"]))
        self.screenshots += 1

    # Steps

    async def sign_in_page(self):
        await self.goto("/login", "sign-in")
        await self.require("!!document.querySelector('form#login-password')", "form#login-password")
        await self.screenshot("01-sign-in.png")

    async def sign_in(self, email, password):
        await self.set_field("form#login-password input[name=email]", email)
        await self.set_field("form#login-password input[name=password]", password)
        await self.submit("document.querySelector('form#login-password').requestSubmit()", "overview")
        await self.screenshot("02-overview.png")

    async def new_run(self):
        await self.goto("/runs/new", "new-run")
        await self.set_field("textarea[name=task]", TASK)
        await self.set_field("select[name=swarm]", "security")
        await self.set_field("input[name=max_cost_usd]", "1")
        # The page's script fetches the estimate as the form is filled in...
        await self.wait_for(
            "(() => { const e = document.querySelector('#estimate'); return !!e && !e.hidden && e.textContent.includes('$'); })()",
            "#estimate to appear by itself as the form was filled in",
            timeout=15,
        )
        # ...and the Estimate button renders it on the server (no script needed).
        await self.submit(
            "document.querySelector('button[name=action][value=estimate]').click()",
            "new-run",
        )
        await self.wait_for(
            "(() => { const e = document.querySelector('#estimate'); return !!e && e.textContent.includes('$'); })()",
            "#estimate with a $ amount",
            timeout=15,
        )
        await self.screenshot("03-new-run.png")
        # The re-rendered form keeps the task, but set the fields again in case it does not.
        for selector, value in (
            ("textarea[name=task]", TASK),
            ("select[name=swarm]", "security"),
            ("input[name=max_cost_usd]", "1"),
        ):
            if await self.cdp.evaluate(f"(document.querySelector({js(selector)}) || {{}}).value") != value:
                await self.set_field(selector, value)
        await self.submit("document.querySelector('button[name=action][value=start]').click()", "run")
        path = await self.cdp.evaluate("location.pathname")
        if not re.fullmatch(r"/runs/[^/]+", path or "") or path == "/runs/new":
            raise StepFailure(f"expected to land on /runs/<id>, got {path!r}")
        self.run_path = path

    async def run_view(self):
        state_js = """(() => {
            const main = document.querySelector('main[data-run-status]');
            const nodes = [...document.querySelectorAll('svg#run-graph g.node')];
            const report = document.querySelector('#report');
            const output = document.querySelector('#agent-output');
            return {
                status: main ? main.dataset.runStatus : null,
                states: nodes.map(n => n.getAttribute('data-state')),
                report: report ? report.textContent.trim().length : 0,
                output: output ? output.textContent.trim().length : 0,
            };
        })()"""
        click_js = """(() => {
            const node = document.querySelector('svg#run-graph g.node');
            if (!node) return false;
            node.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true, view: window}));
            return true;
        })()"""
        loads = self.cdp.loads
        clicked = False
        dropped = False
        last = None
        deadline = time.monotonic() + self.timeout
        while True:
            self.cdp.check_errors()
            if self.cdp.loads != loads:
                raise StepFailure("the run view reloaded; it must update live without a reload")
            state = await self.cdp.evaluate(state_js)
            summary = f"status={state['status']} nodes={','.join(s or '?' for s in state['states']) or '-'} report={state['report']} chars"
            if summary != last:
                print(f"    {summary}", flush=True)
                last = summary
            if state["states"] and not clicked:
                clicked = await self.cdp.evaluate(click_js)
            if state["states"] and not dropped and state["status"] == "running":
                dropped = True
                await self.drop_connection()
            done = (
                state["status"] == "succeeded"
                and state["states"]
                and all(s == "done" for s in state["states"])
                and state["report"] > 0
            )
            if done and clicked:
                break
            if state["status"] in ("failed", "cancelled"):
                raise StepFailure(f"the run ended {state['status']}")
            if time.monotonic() > deadline:
                raise StepFailure(f"timed out waiting for the run to succeed with every node done and a report (last: {summary})")
            await asyncio.sleep(0.5)
        await self.wait_for(
            "(() => { const o = document.querySelector('#agent-output'); return !!o && o.textContent.trim().length > 0; })()",
            "#agent-output to show the clicked agent's output",
            timeout=min(15, self.timeout),
        )
        if self.cdp.loads != loads:
            raise StepFailure("the run view reloaded; it must update live without a reload")
        if not dropped:
            print("    note: the run finished before the connection could be dropped", flush=True)
        events = await self.cdp.evaluate("document.querySelector('main[data-run-status]').getAttribute('data-events') || ''")
        seen, _, last = events.partition("/")
        if not seen or seen != last:
            raise StepFailure(f"the run view did not see every event exactly once (seen/last id: {events!r})")
        print(f"    events seen once each: {seen}", flush=True)
        await self.screenshot("04-run-view.png", full_page=True)

    async def drop_connection(self):
        """Cuts every TCP connection mid-run (through the proxy): the event stream breaks, the
        page must say it is reconnecting, and the browser must resume the stream with
        Last-Event-ID, so that the run view still reaches every node done and has seen every
        event exactly once (checked by the caller through main[data-events])."""
        if self.proxy is None:
            return
        # The cut stream's load fails in the network log; that is the point here.
        self.cdp.expected_network_failures.add(f"{self.run_path}/events")
        dropped = self.proxy.drop()
        await self.wait_for(
            "(() => { const l = document.getElementById('live'); return !!l && l.classList.contains('reconnecting'); })()",
            "the run view to show that it is reconnecting", timeout=10, interval=0.05)
        print(f"    dropped {dropped} connection(s); the page is reconnecting", flush=True)
        await self.wait_for(
            "(() => { const l = document.getElementById('live'); return !!l && (l.hidden || !l.classList.contains('reconnecting')); })()",
            "the event stream to reconnect", timeout=20)
        await asyncio.sleep(0.3)
        self.cdp.expected_network_failures.clear()
        print("    reconnected", flush=True)

    async def other_pages(self):
        await self.goto("/runs", "history")
        await self.require("!!document.querySelector('a[href^=\"/runs/\"]')", "a run row link a[href^=\"/runs/\"] on /runs")
        await self.screenshot("05-history.png")
        await self.goto("/agents", "agents")
        await self.screenshot("06-agents.png")
        await self.goto("/costs", "costs")
        await self.require("!!document.querySelector('svg.chart')", "svg.chart on /costs")
        await self.screenshot("07-cost-analytics.png")
        await self.goto("/settings", "settings")
        await self.screenshot("08-settings.png")
        await self.goto("/admin", "admin")
        await self.screenshot("09-admin.png")

    async def dark_mode(self):
        await self.cdp.send(
            "Emulation.setEmulatedMedia",
            {"features": [{"name": "prefers-color-scheme", "value": "dark"}]},
        )
        try:
            await self.goto(self.run_path, "run")
            await self.wait_for("!!document.querySelector('main[data-run-status=\"succeeded\"]')", "main[data-run-status=succeeded]")
            await self.screenshot("10-run-view-dark.png", full_page=True)
            await self.goto("/costs", "costs")
            await self.screenshot("11-cost-analytics-dark.png")
        finally:
            await self.cdp.send("Emulation.setEmulatedMedia", {"features": []})

    async def narrow(self):
        await self.cdp.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": 400, "height": 850, "deviceScaleFactor": 1, "mobile": False},
        )
        try:
            await self.goto("/", "overview")
            await self.screenshot("12-overview-narrow.png")
            width = await self.cdp.evaluate("document.documentElement.scrollWidth")
            if width > 420:
                raise StepFailure(f"the overview overflows a 400 px window horizontally (scrollWidth {width})")
        finally:
            await self.cdp.send("Emulation.clearDeviceMetricsOverride")

    async def sign_out(self):
        await self.submit("document.querySelector('form#sign-out').requestSubmit()", "sign-in")
        await self.goto("/", "sign-in")
        path = await self.cdp.evaluate("location.pathname")
        if path == "/":
            raise StepFailure("signed out, / showed the sign-in page without redirecting")


async def run(args):
    os.makedirs(args.out, exist_ok=True)
    chromium = Chromium(find_chromium(args.chromium))
    cdp = None
    test = None
    proxy = None
    step = "start Chromium"
    try:
        # The browser talks to the server through a proxy that can cut its connections.
        target = urllib.parse.urlsplit(args.base_url)
        proxy = DroppingProxy(target.hostname or "127.0.0.1", target.port or 80)
        base_url = f"http://127.0.0.1:{await proxy.start()}"
        port = chromium.start()
        async with connect(page_websocket_url(port), max_size=None, proxy=None, open_timeout=15) as websocket:
            cdp = CDP(websocket)
            for domain in ("Page", "Runtime", "Log", "Network"):
                await cdp.send(f"{domain}.enable")
            test = BrowserTest(cdp, base_url, args.out, args.timeout, proxy)
            steps = [
                ("sign-in-page", test.sign_in_page),
                ("sign-in", lambda: test.sign_in(args.email, args.password)),
                ("new-run", test.new_run),
                ("run-view", test.run_view),
                ("pages", test.other_pages),
                ("dark-mode", test.dark_mode),
                ("narrow", test.narrow),
                ("sign-out", test.sign_out),
            ]
            for step, action in steps:
                started = time.monotonic()
                try:
                    await asyncio.wait_for(action(), args.timeout + 30)
                    await asyncio.sleep(0.2)  # let late errors of this step arrive
                    cdp.check_errors()
                except (StepFailure, asyncio.TimeoutError, ConnectionError) as error:
                    message = str(error) or "step timed out"
                    await report_failure(cdp, args.out, step, message)
                    return 1
                print(f"ok   {step:<13} {time.monotonic() - started:6.1f} s", flush=True)
        print(f"browser test passed: {test.pages} pages, {test.screenshots} screenshots in {args.out}")
        return 0
    except SystemExit:
        raise
    except Exception as error:  # anything unexpected still names the step
        print(f"FAIL {step}: {type(error).__name__}: {error}", file=sys.stderr)
        if cdp is not None:
            await report_failure(cdp, args.out, step, None)
        return 1
    finally:
        chromium.stop()
        if proxy is not None:
            await proxy.stop()


async def report_failure(cdp, out, step, message):
    if message:
        print(f"FAIL {step}: {message}", file=sys.stderr)
    try:
        url = await cdp.evaluate("location.href", timeout=5)
    except Exception:
        url = "(unknown)"
    print(f"     current URL: {url}", file=sys.stderr)
    for error in cdp.errors:
        print(f"     {format_error(error)}", file=sys.stderr)
    try:
        result = await cdp.send("Page.captureScreenshot", {"format": "png"}, timeout=15)
        path = os.path.join(out, f"FAILED-{step}.png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(result["data"]))
        print(f"     screenshot: {path}", file=sys.stderr)
    except Exception as error:
        print(f"     (no screenshot: {error})", file=sys.stderr)


def interrupted(signum, frame):
    raise KeyboardInterrupt


def main():
    parser = argparse.ArgumentParser(description="Real-browser test of the KimiSwarm dashboard.")
    parser.add_argument("--base-url", required=True, help="the server, e.g. http://127.0.0.1:8080")
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--out", required=True, help="folder for the screenshots")
    parser.add_argument("--chromium", help="the Chromium binary (default: chromium on PATH)")
    parser.add_argument("--timeout", type=float, default=180, help="seconds per step (default 180)")
    args = parser.parse_args()
    parsed = urllib.parse.urlparse(args.base_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        parser.error("--base-url must be an http(s) URL")
    # SIGTERM (scripts/test's cleanup) unwinds like Ctrl-C, so Chromium is stopped.
    signal.signal(signal.SIGTERM, interrupted)
    try:
        sys.exit(asyncio.run(run(args)))
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
