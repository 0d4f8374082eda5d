"""The per-suite pass table of the W3C suites, printed at the end of a run and written to
test-artifacts/w3c-<target>.json.

A plugin of the root conftest (``pytest_plugins``), because under pytest-xdist only the
controller prints the summary and it loads only the root conftest; each report carries its
suite and group from the workers (tests/w3c/conftest.py labels it in ``user_properties``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from .servers import target

W3C_PROPERTY = "w3c"
_outcomes: dict[str, tuple[str, str, str]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Runs where the summary is printed (the controller, under xdist)."""
    labels = dict(report.user_properties).get(W3C_PROPERTY)
    if labels is None:
        return
    suite, group = labels
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        if report.passed:
            state = "xpassed" if hasattr(report, "wasxfail") else "passed"
        elif report.skipped:
            state = "xfailed" if hasattr(report, "wasxfail") else "skipped"
        else:
            state = "failed"
        _outcomes[report.nodeid] = (suite, group, state)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _outcomes:
        return
    table: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for suite, group, state in _outcomes.values():
        table[(suite, group)][state] += 1
    tr = terminalreporter
    tr.section(f"W3C SPARQL 1.1 conformance (target: {target()})")
    tr.write_line(
        f"{'suite/group':40} {'pass':>5} {'xfail':>6} {'fail':>5} {'skip':>5} {'total':>6}"
    )
    rows = []
    for (suite, group), c in sorted(table.items()):
        total = sum(c.values())
        tr.write_line(
            f"{suite + '/' + group:40} {c['passed']:>5} {c['xfailed']:>6} "
            f"{c['failed'] + c['xpassed']:>5} {c['skipped']:>5} {total:>6}"
        )
        rows.append({"suite": suite, "group": group, "total": total, **c})
    out = Path("test-artifacts")
    try:
        out.mkdir(exist_ok=True)
        (out / f"w3c-{target()}.json").write_text(
            json.dumps(
                {
                    "target": target(),
                    "groups": rows,
                    "tests": {k: v[2] for k, v in sorted(_outcomes.items())},
                },
                indent=1,
            )
        )
    except OSError:
        pass
