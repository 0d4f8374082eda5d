"""The HTTP stack's ceiling: a WSGI app that does nothing but return a fixed body.

``bench/run.py`` serves it with the same gunicorn setup as ``treatygraph serve`` (sync
workers) and measures it like the endpoint. No Flask, no routing, no cache lookup, no
query: whatever rate this reaches is the most any endpoint built on gunicorn sync
workers can reach on this machine, so it bounds what optimising our Python code can buy.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

BODY = os.environ.get("CEILING_BODY", '{"head":{"vars":[]},"results":{"bindings":[]}}').encode()
HEADERS = [("Content-Type", "application/sparql-results+json"), ("Content-Length", str(len(BODY)))]


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", HEADERS)
    return [BODY]
