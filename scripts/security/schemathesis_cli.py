"""schemathesis' command line, with one workaround for the Python we run on.

CPython 3.11 before 3.11.8 can raise `SystemError: AST constructor recursion depth mismatch`
from `ast.parse` when it runs deep in a call stack (CPython issue 106905). Hypothesis parses a
lambda's source to name a filtered strategy, and schemathesis' coverage phase does that deep in
its generators: the error aborts the whole coverage phase. The name is only for display, so a
plain one does.

Usage: python schemathesis_cli.py run ... (the same arguments as `schemathesis`).
"""

import sys

from hypothesis.internal import lambda_sources

_describe = lambda_sources.lambda_description


def _lambda_description(function):
    try:
        return _describe(function)
    except SystemError:
        return "lambda"


lambda_sources.lambda_description = _lambda_description

from schemathesis.cli import schemathesis  # noqa: E402

if __name__ == "__main__":
    sys.argv[0] = "schemathesis"
    sys.exit(schemathesis())
