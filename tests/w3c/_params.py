"""Build pytest parameters for manifest tests, marking known failures of the current target."""

from __future__ import annotations

import pytest

from .expectations import load
from .servers import target

_EXPECTED = load()


def param(test: object, iri: str, test_id: str, suite: str, group: str) -> object:
    marks = [pytest.mark.w3c(suite, group), pytest.mark.live]
    exp = _EXPECTED.get((target(), iri))
    if exp is not None:
        marks.append(pytest.mark.xfail(strict=True, reason=f"[{exp.category}] {exp.reason}"))
    return pytest.param(test, id=test_id, marks=marks)


def listed_iris() -> set[str]:
    return {iri for (_, iri) in _EXPECTED}
