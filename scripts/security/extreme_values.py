"""The extreme-values pass: every numeric field of every request body and query parameter of
the OpenAPI document gets huge, negative, zero, fractional, 1e308, -1e308, 2^63 and values of
the wrong type.

What each answer must be is decided by the document itself: a value the field's schema
refuses must get a 400 or 422 whose error names the field (its `param`, message or hint); a
value the schema allows must not be refused as invalid (no 400/422 naming the field). Never
a 5xx, never a hang (every request has a timeout), and the server must still answer /health
afterwards. So the pass also checks that the document states the server's real limits.

Bodies are built from each request schema's `examples[0]` (the document carries one for every
body with a numeric field); the field under test is replaced in a copy of it.
"""

import copy
import json
from urllib.parse import quote

from jsonschema import Draft202012Validator

# (label, value) sent to every numeric field.
EXTREMES = [
    ("huge", 10**18),
    ("negative", -1),
    ("zero", 0),
    ("fractional", 0.5),
    ("1e308", 1e308),
    ("-1e308", -1e308),
    ("2^63", 2**63),
    ("-2^63-1", -(2**63) - 1),
    ("string", "12"),
    ("boolean", True),
    ("array", [1]),
    ("object", {"value": 1}),
]


class Report:
    """What the pass did and found."""

    def __init__(self):
        self.operations = 0
        self.fields = 0
        self.cases = 0
        self.failures = []


def resolve(schema, document, depth=0):
    """The schema with every `$ref` to the document's components inlined."""
    if depth > 20:
        return schema
    if isinstance(schema, dict):
        if "$ref" in schema:
            target = document
            for part in schema["$ref"].lstrip("#/").split("/"):
                target = target[part]
            merged = dict(resolve(target, document, depth + 1))
            merged.update({key: value for key, value in schema.items() if key != "$ref"})
            return merged
        return {key: resolve(value, document, depth + 1) for key, value in schema.items()}
    if isinstance(schema, list):
        return [resolve(item, document, depth + 1) for item in schema]
    return schema


def is_numeric(schema):
    """Whether a property takes a number (alone or among other types)."""
    types = schema.get("type")
    types = types if isinstance(types, list) else [types]
    if "integer" in types or "number" in types:
        return True
    return any(is_numeric(option) for option in schema.get("anyOf", []) + schema.get("oneOf", []) if isinstance(option, dict))


def numeric_fields(schema, prefix=()):
    """Paths (tuples of keys) of the numeric properties of an object schema, nested ones included."""
    found = []
    for name, property_schema in (schema.get("properties") or {}).items():
        path = prefix + (name,)
        if is_numeric(property_schema):
            found.append(path)
        candidates = [property_schema] + [o for o in property_schema.get("anyOf", []) if isinstance(o, dict)]
        for candidate in candidates:
            if candidate.get("type") == "object" or "object" in (candidate.get("type") or []):
                found += numeric_fields(candidate, path)
    return found


def with_value(body, path, value):
    """A copy of `body` with `value` at `path` (intermediate objects created)."""
    body = copy.deepcopy(body)
    target = body
    for key in path[:-1]:
        if not isinstance(target.get(key), dict):
            target[key] = {}
        target = target[key]
    target[path[-1]] = value
    return body


def names_field(answer, path):
    """Whether the error names the field: by its dotted path, its own name, or the object it
    is in when that is read as a whole (`thinking` for `thinking.budgetTokens`)."""
    text = answer.error_text()
    return path[-1] in text or any(f"`{'.'.join(path[:end])}" in text for end in range(1, len(path) + 1))


def judge(report, label, answer, valid, path):
    """Records a failure when the answer is not what the schema's verdict asks for."""
    report.cases += 1
    where = f"{label}: {'.'.join(path)}"
    if answer is None:
        report.failures.append(f"{where}: no answer (timeout or connection error)")
    elif answer.status >= 500:
        report.failures.append(f"{where}: server error {answer.status}: {answer.text[:200]}")
    elif valid and answer.status in (400, 422) and names_field(answer, path):
        report.failures.append(f"{where}: the document allows this value, the server refused it ({answer.status}): {answer.error_text()[:200]}")
    elif not valid and answer.status not in (400, 422):
        report.failures.append(f"{where}: the document refuses this value, the server answered {answer.status}: {answer.text[:200]}")
    elif not valid and not names_field(answer, path):
        report.failures.append(f"{where}: {answer.status} does not name the field: {answer.error_text()[:200]}")


def send(api, method, path, body=None, timeout=30):
    try:
        return api.request(method, path, body=body, timeout=timeout)
    except OSError:
        return None


def run(api, timeout=30):
    """Runs the pass with `api` (a super admin of a tenant of the suite's own)."""
    report = Report()
    document = api.request("GET", "/openapi.json").json
    # A finished run, for the routes under /runs/{id} (its event stream then ends at once).
    run_id = api.expect(202, "POST", "/api/v1/runs", {"task": "extreme values: a run to read"}).json["id"]
    api.request("POST", f"/api/v1/runs/{run_id}/cancel")
    parameters = {"id": run_id, "plan_id": "fuzz-extreme-plan"}

    for template, item in sorted(document["paths"].items()):
        path = template
        for name, value in parameters.items():
            path = path.replace("{" + name + "}", value)
        if "{" in path:
            continue
        for method, operation in sorted(item.items()):
            touched = False
            content = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
            if content:
                schema = resolve(content["schema"], document)
                fields = numeric_fields(schema)
                if fields:
                    touched = True
                    base = (schema.get("examples") or [None])[0]
                    if base is None:
                        report.failures.append(f"{method.upper()} {template}: its body schema has no example to build on")
                        continue
                    validator = Draft202012Validator(schema)
                    for field in fields:
                        report.fields += 1
                        for label, value in EXTREMES:
                            body = with_value(base, field, value)
                            answer = send(api, method.upper(), path, body, timeout)
                            judge(report, f"{method.upper()} {template} {label}", answer, validator.is_valid(body), field)
            for parameter in operation.get("parameters", []):
                schema = resolve(parameter.get("schema", {}), document)
                if parameter.get("in") != "query" or not is_numeric(schema):
                    continue
                touched = True
                report.fields += 1
                validator = Draft202012Validator(schema)
                for label, value in EXTREMES:
                    if isinstance(value, (list, dict, str)):
                        continue  # a query value is text: "12" is 12 there, arrays and objects have no spelling
                    text = json.dumps(value)
                    answer = send(api, method.upper(), f"{path}?{parameter['name']}={quote(text)}", None, timeout)
                    typed = value if isinstance(value, (int, float)) and not isinstance(value, bool) else text
                    judge(report, f"{method.upper()} {template}?{parameter['name']} {label}", answer, validator.is_valid(typed), (parameter["name"],))
            if touched:
                report.operations += 1
    if not api.alive():
        report.failures.append("the server stopped answering /health")
    return report
