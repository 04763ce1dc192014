#!/usr/bin/env python3
"""Checks the direction of the module graph (ARCHITECTURE.md, "Modules and their direction").

- Each of our library modules may depend only on the modules below it.
- The application module's whole dependency closure (our modules and the packages they pull
  in, transitively) contains no Hummingbird: `swarm worker` and anything else built on
  KimiSwarmPlatform run without the HTTP stack.
- No source file imports a module its target does not allow.

Prints the module graph and exits non-zero on any violation. Needs only `swift` and Python 3.
"""
import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Which of our modules each library module may import (directly).
ALLOWED = {
    "KimiSwarmCore": set(),
    "KimiSwarmClient": {"KimiSwarmCore"},
    "KimiSwarmEngine": {"KimiSwarmCore"},
    "KimiSwarmStore": {"KimiSwarmCore"},
    "KimiSwarmPlatform": {"KimiSwarmCore", "KimiSwarmClient", "KimiSwarmEngine", "KimiSwarmStore"},
    "KimiSwarmServer": {"KimiSwarmCore", "KimiSwarmClient", "KimiSwarmEngine", "KimiSwarmStore", "KimiSwarmPlatform"},
    "KimiSwarmTesting": {"KimiSwarmCore"},
}
HTTP_PACKAGES = {"hummingbird", "hummingbird-websocket"}


def run(*args):
    return subprocess.run(args, cwd=ROOT, check=True, capture_output=True, text=True).stdout


def main():
    manifest = json.loads(run("swift", "package", "dump-package"))
    tree = json.loads(run("swift", "package", "show-dependencies", "--format", "json"))
    # Every package's transitive package dependencies.
    closure = {}

    def walk(node):
        deps = set()
        for child in node.get("dependencies", []):
            deps |= {child["identity"]} | walk(child)
        closure[node["identity"]] = closure.get(node["identity"], set()) | deps
        return deps

    walk(tree)
    targets = {t["name"]: t for t in manifest["targets"]}
    problems = []

    def direct(name):
        ours, packages = set(), set()
        for dep in targets[name]["dependencies"]:
            if "byName" in dep:
                ours.add(dep["byName"][0])
            elif "target" in dep:
                ours.add(dep["target"][0])
            elif "product" in dep:
                packages.add(dep["product"][1].lower())
        return ours, packages

    def packages_of(name, seen=None):
        seen = seen if seen is not None else set()
        if name in seen:
            return set()
        seen.add(name)
        ours, packages = direct(name)
        result = set(packages)
        for package in packages:
            result |= closure.get(package, set())
        for module in ours:
            result |= packages_of(module, seen)
        return result

    print("module graph (our library modules, direct dependencies):")
    for name, allowed in ALLOWED.items():
        ours, _ = direct(name)
        print(f"  {name} -> {', '.join(sorted(ours)) or '(none of ours)'}")
        if not ours <= allowed:
            problems.append(f"{name} depends on {sorted(ours - allowed)}; allowed: {sorted(allowed)}")
        # Imports in the sources follow the same rule.
        for path in sorted((ROOT / "Sources" / name).rglob("*.swift")):
            for module in re.findall(r"^\s*(?:@testable\s+)?(?:public\s+|package\s+)?import\s+(KimiSwarm\w+)", path.read_text(), re.M):
                if module != name and module not in allowed:
                    problems.append(f"{path.relative_to(ROOT)} imports {module}")
    for name in ALLOWED:
        if name == "KimiSwarmServer":
            continue
        http = packages_of(name) & HTTP_PACKAGES
        if http:
            problems.append(f"{name}'s dependency closure contains {sorted(http)}")
    platform = sorted(packages_of("KimiSwarmPlatform"))
    print(f"KimiSwarmPlatform's package closure: {', '.join(platform)}")
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        sys.exit(1)
    print("module graph: ok (no HTTP framework below KimiSwarmServer)")


if __name__ == "__main__":
    main()
