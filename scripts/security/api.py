"""A small HTTP client for the security suite (standard library only).

Every request has a timeout, so a server that hangs fails the suite instead of stalling it.
"""

import json
import urllib.error
import urllib.request


class Answer:
    """A response: status, headers (lower-case names) and the body as text and as JSON."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.text = body.decode("utf-8", "replace")
        try:
            self.json = json.loads(self.text) if self.text else None
        except ValueError:
            self.json = None

    def error_text(self):
        """The error body's message, hint and param, joined (empty when there is none)."""
        error = (self.json or {}).get("error") if isinstance(self.json, dict) else None
        if not isinstance(error, dict):
            return ""
        return " ".join(str(error.get(key) or "") for key in ("message", "hint", "param"))


class API:
    """Requests against one server with one bearer token (or none)."""

    def __init__(self, base_url, token=None, tenant=None, timeout=30):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.tenant = tenant
        self.timeout = timeout

    def with_token(self, token, tenant=None):
        return API(self.base_url, token, tenant, self.timeout)

    def request(self, method, path, body=None, raw=None, headers=None, timeout=None):
        """Sends `body` as JSON (or `raw` bytes as they are); never raises on an HTTP status."""
        fields = dict(headers or {})
        if self.token:
            fields.setdefault("Authorization", f"Bearer {self.token}")
        if self.tenant:
            fields.setdefault("X-KimiSwarm-Tenant", self.tenant)
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            fields.setdefault("Content-Type", "application/json")
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=fields)
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:
                return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())

    def expect(self, status, method, path, body=None, headers=None):
        """The answer, or a RuntimeError naming the request when the status is another."""
        answer = self.request(method, path, body=body, headers=headers)
        if answer.status != status:
            raise RuntimeError(f"{method} {path}: expected {status}, got {answer.status}: {answer.text[:300]}")
        return answer

    def alive(self):
        """Whether GET /health answers 200 within 10 s."""
        try:
            return self.request("GET", "/health", timeout=10).status == 200
        except OSError:
            return False

    def new_tenant(self, tenant_id, name, role="super_admin"):
        """Creates a tenant (as the caller, a super admin) with a key of `role` in it; its API."""
        self.expect(201, "POST", "/api/v1/tenants", {"name": name, "id": tenant_id})
        inside = API(self.base_url, self.token, tenant_id, self.timeout)
        key = inside.expect(201, "POST", "/api/v1/keys", {"name": f"{name} ({role})", "role": role}).json["key"]
        return self.with_token(key)
