"""Compact anchors: authors write the quote, this module computes and writes the offsets.

In graph/ sources a fact carries ``tg:anchor [ oa:exact "..." ]`` (plus ``oa:prefix`` when the
quote alone is ambiguous). ``treatygraph anchor`` finds each such block in the Turtle text,
locates the quote in the article body, and rewrites the block in place with its context
(prefix/suffix) and code-point offsets, so the build never needs the article itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from treatygraph.corpus.documents import Article
from treatygraph.errors import CheckFailed

CONTEXT = 32  # characters of prefix/suffix context, as annotation tools commonly keep

_ANCHOR_START = re.compile(r"tg:anchor\s*\[")
_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
_FIELD = re.compile(r"\s*oa:(exact|prefix|suffix|start|end)\s+")
_INTEGER = re.compile(r"(\d+)")
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


class AnchorError(CheckFailed):
    """An anchor that cannot be placed; the message names the file and the quote."""


@dataclass
class AnchorBlock:
    """One ``[ ... ]`` anchor block found in a source file."""

    path: Path
    line: int
    span: tuple[int, int]  # character span of the bracketed block in the file text
    exact: str
    prefix: str | None = None
    suffix: str | None = None
    start: int | None = None
    end: int | None = None

    def where(self) -> str:
        return f"{self.path}:{self.line}: quote {self.exact!r}"


def unescape(body: str) -> str:
    """Decode the escapes of a Turtle short string."""

    def repl(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU":
            return chr(int(code[1:], 16))
        return _ESCAPES[code]

    return re.sub(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", repl, body)


def escape(value: str) -> str:
    """Encode a string as the body of a Turtle short string."""
    out = value.replace("\\", "\\\\").replace('"', '\\"')
    return out.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def _parse_block(text: str, pos: int, path: Path) -> tuple[dict[str, str | int], int]:
    """Parse the fields of a block whose ``[`` ends at ``pos``; return fields and end index."""
    fields: dict[str, str | int] = {}
    while True:
        match = _FIELD.match(text, pos)
        if not match:
            break
        name = match.group(1)
        pos = match.end()
        if name in ("start", "end"):
            number = _INTEGER.match(text, pos)
            if not number:
                raise AnchorError(f"{path}: oa:{name} needs an integer at offset {pos}")
            fields[name] = int(number.group(1))
            pos = number.end()
        else:
            string = _STRING.match(text, pos)
            if not string:
                raise AnchorError(f'{path}: oa:{name} needs a "..." string at offset {pos}')
            fields[name] = unescape(string.group(1))
            pos = string.end()
        sep = re.compile(r"\s*;").match(text, pos)
        if sep:
            pos = sep.end()
    close = re.compile(r"\s*\]").match(text, pos)
    if not close:
        line = text.count("\n", 0, pos) + 1
        raise AnchorError(
            f"{path}:{line}: an anchor block may hold only oa:exact, oa:prefix, oa:suffix, "
            "oa:start and oa:end"
        )
    return fields, close.end()


def scan(path: Path, text: str) -> list[AnchorBlock]:
    """Find every compact anchor block in a Turtle source (including ``, [ ... ]`` lists)."""
    blocks: list[AnchorBlock] = []
    for match in _ANCHOR_START.finditer(text):
        open_at = match.end() - 1
        while True:
            fields, close = _parse_block(text, open_at + 1, path)
            line = text.count("\n", 0, open_at) + 1
            if "exact" not in fields:
                raise AnchorError(f"{path}:{line}: anchor block without oa:exact")
            blocks.append(
                AnchorBlock(
                    path=path,
                    line=line,
                    span=(open_at, close),
                    exact=str(fields["exact"]),
                    prefix=_opt_str(fields.get("prefix")),
                    suffix=_opt_str(fields.get("suffix")),
                    start=_opt_int(fields.get("start")),
                    end=_opt_int(fields.get("end")),
                )
            )
            more = re.compile(r"\s*,\s*\[").match(text, close)
            if not more:
                break
            open_at = more.end() - 1
    return blocks


def _opt_str(value: str | int | None) -> str | None:
    return None if value is None else str(value)


def _opt_int(value: str | int | None) -> int | None:
    return None if value is None else int(value)


def locate(article: Article, block: AnchorBlock) -> tuple[int, int]:
    """Return the (start, end) of the block's quote in the article body, or raise AnchorError."""
    exact = block.exact
    if not exact:
        raise AnchorError(f"{block.where()}: the quote is empty")
    hits = [m.start() for m in re.finditer(re.escape(exact), article.text)]
    if block.prefix:
        hits = [h for h in hits if article.text[:h].endswith(block.prefix)]
    if block.suffix:
        hits = [h for h in hits if article.text[h + len(exact) :].startswith(block.suffix)]
    in_body = [h for h in hits if h + len(exact) <= article.body_end]
    if not in_body:
        if hits:
            raise AnchorError(
                f"{block.where()}: falls outside the article body "
                f"(which ends at character {article.body_end})"
            )
        detail = " after the given prefix/suffix" if block.prefix or block.suffix else ""
        raise AnchorError(f"{block.where()}: not found in the article{detail}")
    if len(in_body) > 1:
        raise AnchorError(
            f"{block.where()}: occurs {len(in_body)} times in the article body "
            f"(at characters {', '.join(map(str, in_body))}); add an oa:prefix that settles it"
        )
    return in_body[0], in_body[0] + len(exact)


def render(block: AnchorBlock, article: Article, start: int, end: int) -> str:
    """The anchor block rewritten with its context and offsets, on one line."""
    before = max(CONTEXT, len(block.prefix or ""))
    prefix = article.text[max(0, start - before) : start]
    suffix = article.text[end : min(article.body_end, end + CONTEXT)]
    parts = [f'oa:exact "{escape(block.exact)}"', f'oa:prefix "{escape(prefix)}"']
    if suffix:
        parts.append(f'oa:suffix "{escape(suffix)}"')
    parts += [f"oa:start {start}", f"oa:end {end}"]
    return "[ " + " ; ".join(parts) + " ]"


def anchor_text(path: Path, text: str, article: Article) -> tuple[str, int]:
    """Rewrite every anchor block of one source; return the new text and the number changed."""
    blocks = scan(path, text)
    out: list[str] = []
    last = 0
    changed = 0
    errors = []
    for block in blocks:
        try:
            start, end = locate(article, block)
        except AnchorError as exc:
            errors.append(str(exc))
            continue
        new = render(block, article, start, end)
        old = text[block.span[0] : block.span[1]]
        out.append(text[last : block.span[0]])
        out.append(new)
        last = block.span[1]
        changed += new != old
    if errors:
        raise AnchorError("\n".join(errors))
    out.append(text[last:])
    return "".join(out), changed
