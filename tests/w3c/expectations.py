"""The machine-readable list of known failures (expected_failures.txt), per target."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FILE = Path(__file__).with_name("expected_failures.txt")
CATEGORIES = ("engine", "policy", "harness", "bug", "server")


@dataclass(frozen=True)
class Expected:
    iri: str
    targets: frozenset[str]
    category: str
    reason: str


def load(path: Path = FILE) -> dict[tuple[str, str], Expected]:
    """Map (target, test IRI) -> expectation. Lines: ``IRI | targets | category | reason``."""
    out: dict[tuple[str, str], Expected] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|", 3)]
        if len(parts) != 4:
            raise ValueError(f"{path}:{n}: expected 'IRI | targets | category | reason'")
        iri, targets, category, reason = parts
        if category not in CATEGORIES:
            raise ValueError(f"{path}:{n}: category {category!r} not in {CATEGORIES}")
        exp = Expected(iri, frozenset(t.strip() for t in targets.split(",")), category, reason)
        for t in exp.targets:
            if (t, iri) in out:
                raise ValueError(f"{path}:{n}: duplicate entry for {iri} ({t})")
            out[(t, iri)] = exp
    return out
