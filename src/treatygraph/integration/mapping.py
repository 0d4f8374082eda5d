"""Lexical checks of CSV cells against XSD datatypes, and tg:PartialDate's choice of datatype.

``csvw`` parses numbers and booleans strictly but accepts ``"87"`` as an ``xsd:gYear`` and
``"2019-02-30"`` as a date string; :mod:`treatygraph.integration.tabular` runs these checks on
every cell first, so a bad cell is reported with its row and column instead of being imported.
(The TOML mapping language that used to live here was replaced by W3C CSVW metadata.)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from rdflib import URIRef
from rdflib.namespace import XSD

DATE_RE = re.compile(r"^(-?\d{4,})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?$")
YEAR_MONTH_RE = re.compile(r"^(-?\d{4,})-(\d{2})(Z|[+-]\d{2}:\d{2})?$")
YEAR_RE = re.compile(r"^-?\d{4,}(Z|[+-]\d{2}:\d{2})?$")
INTEGER_RE = re.compile(r"^[+-]?\d+$")
DECIMAL_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def _check_date(value: str) -> str | None:
    """Why ``value`` is not an xsd:date, or None when it is one."""
    found = DATE_RE.match(value)
    if not found:
        return "expected YYYY-MM-DD"
    year, month, day = (int(found.group(i)) for i in (1, 2, 3))
    try:
        dt.date(year, month, day)
    except ValueError as exc:
        return str(exc)
    return None


def _check_year_month(value: str) -> str | None:
    found = YEAR_MONTH_RE.match(value)
    if not found:
        return "expected YYYY-MM"
    return None if 1 <= int(found.group(2)) <= 12 else "month must be in 1..12"


def _check_datetime(value: str) -> str | None:
    if "T" not in value:
        return "expected YYYY-MM-DDThh:mm:ss"
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        return str(exc)
    return None


def _pattern(regex: re.Pattern[str], expected: str) -> Callable[[str], str | None]:
    return lambda value: None if regex.match(value) else expected


#: Datatypes the mapping can produce, each with the check of its lexical form.
CHECKS: dict[URIRef, Callable[[str], str | None]] = {
    XSD.string: lambda value: None,
    XSD.date: _check_date,
    XSD.gYearMonth: _check_year_month,
    XSD.gYear: _pattern(YEAR_RE, "expected YYYY"),
    XSD.dateTime: _check_datetime,
    XSD.integer: _pattern(INTEGER_RE, "expected an integer"),
    XSD.decimal: _pattern(DECIMAL_RE, "expected a decimal number"),
    XSD.boolean: _pattern(re.compile(r"^(true|false|1|0)$"), "expected true, false, 1 or 0"),
    XSD.anyURI: lambda value: None,
}


def partial_date(value: str) -> tuple[URIRef, str | None]:
    """The datatype a tg:PartialDate cell takes from its form, and what is wrong with it."""
    if DATE_RE.match(value):
        return XSD.date, _check_date(value)
    if YEAR_MONTH_RE.match(value):
        return XSD.gYearMonth, _check_year_month(value)
    if YEAR_RE.match(value):
        return XSD.gYear, None
    return XSD.date, "expected YYYY-MM-DD, YYYY-MM or YYYY"
