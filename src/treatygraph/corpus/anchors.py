"""Compact anchors: authors write the quote, this module computes and writes the offsets.

In the sources of a document's graph (``graph/<slug>/*.ttl``) a fact carries
``tg:anchor [ oa:exact "..." ]`` (plus ``oa:prefix`` when the quote alone is ambiguous).
``treatygraph anchor`` finds each such block in the Turtle text, names its document
(``oa:hasSource``, from the folder's record when missing), locates the quote in that document's
body, and rewrites the block in place with its context (prefix/suffix) and code-point offsets,
so the build never needs the texts themselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from treatygraph.corpus.documents import RECORD_FILE, Document, DocumentText, Registry
from treatygraph.corpus.quotes import AnchorError, check_span
from treatygraph.corpus.quotes import locate as locate_quote
from treatygraph.rdf.iris import slug_of

__all__ = ["AnchorBlock", "AnchorError", "anchor_text", "locate", "scan", "verify_block"]

CONTEXT = 32  # characters of prefix/suffix context, as annotation tools commonly keep

_ANCHOR_START = re.compile(r"tg:anchor\s*\[")
_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
_FIELD = re.compile(r"\s*oa:(hasSource|exact|prefix|suffix|start|end)\s+")
_INTEGER = re.compile(r"(\d+)")
_RESOURCE = re.compile(r"tgid:([a-z0-9]+(?:-[a-z0-9]+)*)|<([^<>\s]+)>")
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


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
    source: str | None = None  #: slug of the document named by oa:hasSource, if given

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
    """Encode a string as the body of a Turtle short string (invisible spaces as \\uXXXX)."""
    out = value.replace("\\", "\\\\").replace('"', '\\"')
    out = out.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return re.sub("[\u00a0\u2007\u2009\u202f\u200b]", lambda m: f"\\u{ord(m.group()):04X}", out)


def _parse_block(text: str, pos: int, path: Path) -> tuple[dict[str, str | int], int]:
    """Parse the fields of a block whose ``[`` ends at ``pos``; return fields and end index."""
    fields: dict[str, str | int] = {}
    while True:
        match = _FIELD.match(text, pos)
        if not match:
            break
        name = match.group(1)
        pos = match.end()
        if name == "hasSource":
            resource = _RESOURCE.match(text, pos)
            if not resource:
                raise AnchorError(f"{path}: oa:hasSource needs tgid:<slug> at offset {pos}")
            slug = resource.group(1) or slug_of(resource.group(2))
            if slug is None:
                line = text.count("\n", 0, pos) + 1
                raise AnchorError(f"{path}:{line}: oa:hasSource <{resource.group(2)}> is not ours")
            fields[name] = slug
            pos = resource.end()
        elif name in ("start", "end"):
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
                    source=_opt_str(fields.get("hasSource")),
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


def locate(text: DocumentText, block: AnchorBlock) -> tuple[int, int]:
    """Return the (start, end) of the block's quote in its document's body, or raise."""
    return locate_quote(text, block.exact, block.prefix, block.suffix, block.where())


def verify_block(block: AnchorBlock, text: DocumentText) -> list[str]:
    """What is wrong with a placed block against its document's text: one message per quote
    (none when it matches)."""
    if block.start is None or block.end is None:
        return [f"{block.where()}: has no offsets; run `treatygraph anchor`"]
    problems = check_span(text, block.exact, block.prefix, block.suffix, block.start, block.end)
    return [f"{block.where()}: " + "; ".join(problems)] if problems else []


def document_of(block: AnchorBlock, folder: Document | None, registry: Registry) -> Document:
    """The document a block is on: its oa:hasSource, which must be its folder's document."""
    slug = block.source or (folder.slug if folder else None)
    if slug is None:
        raise AnchorError(
            f"{block.where()}: names no document, and its file is not in a document's folder "
            f"(graph/<slug>/ with a {RECORD_FILE} record)"
        )
    document = registry.get(slug)
    if document is None:
        known = ", ".join(f"tgid:{d.slug}" for d in registry) or "none"
        raise AnchorError(
            f"{block.where()}: oa:hasSource tgid:{slug} is not a registered document "
            f"(registered: {known})"
        )
    if folder is not None and document.slug != folder.slug:
        raise AnchorError(
            f"{block.where()}: names tgid:{slug}, but the file is in graph/{folder.slug}/, "
            f"whose facts are read from tgid:{folder.slug}; facts read from tgid:{slug} belong "
            f"in graph/{slug}/"
        )
    return document


def folder_document(path: Path, registry: Registry) -> Document | None:
    """The document whose folder holds ``path`` (``graph/<slug>/...``), if any."""
    for document in registry:
        if path.resolve().is_relative_to(document.folder.resolve()):
            return document
    return None


def render(block: AnchorBlock, text: DocumentText, start: int, end: int) -> str:
    """The anchor block rewritten with its document, context and offsets, on one line."""
    before = max(CONTEXT, len(block.prefix or ""))
    prefix = text.text[max(0, start - before) : start]
    suffix = text.text[end : min(text.body_end, end + CONTEXT)]
    parts = [
        f"oa:hasSource tgid:{text.document.slug}",
        f'oa:exact "{escape(block.exact)}"',
        f'oa:prefix "{escape(prefix)}"',
    ]
    if suffix:
        parts.append(f'oa:suffix "{escape(suffix)}"')
    parts += [f"oa:start {start}", f"oa:end {end}"]
    return "[ " + " ; ".join(parts) + " ]"


def anchor_text(
    path: Path, text: str, text_of: Callable[[AnchorBlock], DocumentText]
) -> tuple[str, int, list[str]]:
    """Rewrite every anchor block of one source.

    Returns the new text, the number of blocks changed and one error per quote that could not
    be placed (when there are errors, the text is returned unchanged).
    """
    blocks = scan(path, text)
    out: list[str] = []
    last = 0
    changed = 0
    errors = []
    for block in blocks:
        try:
            document_text = text_of(block)
            start, end = locate(document_text, block)
        except AnchorError as exc:
            errors.append(str(exc))
            continue
        new = render(block, document_text, start, end)
        old = text[block.span[0] : block.span[1]]
        out.append(text[last : block.span[0]])
        out.append(new)
        last = block.span[1]
        changed += new != old
    if errors:
        return text, 0, errors
    out.append(text[last:])
    return "".join(out), changed, []
