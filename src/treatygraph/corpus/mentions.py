"""Mention coverage: every proper name in a document's body is linked or knowingly ignored.

Candidates are capitalised words of the body. A sentence-initial word is a candidate only when
its lower-case form never occurs in the body as a word (so "The" is not, "Russia" is), and a
letter capitalised by the editor inside brackets ("[W]e’re") is not. Each document has its own
mentions file, ``graph/<slug>/mentions.tsv``, listing surface strings, each linked to a resource
slug or ignored with a reason; a candidate is covered when it lies inside some occurrence of a
listed surface.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from treatygraph.errors import InputError
from treatygraph.rdf.iris import SLUG_RE

MENTIONS_FILE = "mentions.tsv"  #: in each document's folder
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_SENTENCE_END = re.compile(r"(?:^|[.?!:]\s+|\n)[“\"(‘]*$")


class MentionsError(InputError):
    """A malformed line in the mentions file."""


@dataclass(frozen=True)
class Mention:
    """One line of the mentions file."""

    surface: str
    slug: str | None  # None: deliberately ignored
    reason: str
    line: int


@dataclass(frozen=True)
class Candidate:
    """A capitalised word of the body that should be a covered proper name."""

    word: str
    start: int
    end: int


@dataclass
class Coverage:
    """How many candidates the mentions file covers, and which it does not."""

    candidates: list[Candidate]
    uncovered: list[Candidate]
    mentions: list[Mention]
    unused: list[Mention]

    @property
    def ratio(self) -> float:
        if not self.candidates:
            return 1.0
        return 1 - len(self.uncovered) / len(self.candidates)


def read_mentions(path: Path) -> list[Mention]:
    """Parse the TSV (a header, then surface, resource, reason); ``-`` as resource: ignored."""
    mentions = []
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = False
        for number, row in enumerate(rows, start=1):
            if not row or row[0].startswith("#"):
                continue
            if not header:  # the first line that is not a comment names the columns
                header = True
                continue
            if len(row) < 2:
                raise MentionsError(f"{path}:{number}: expected surface, resource, reason")
            surface, resource = row[0], row[1].strip()
            reason = row[2].strip() if len(row) > 2 else ""
            if resource == "-":
                if not reason:
                    raise MentionsError(
                        f"{path}:{number}: ignored mention {surface!r} needs a reason"
                    )
                mentions.append(Mention(surface, None, reason, number))
            elif SLUG_RE.match(resource):
                mentions.append(Mention(surface, resource, reason, number))
            else:
                raise MentionsError(f"{path}:{number}: {resource!r} is not a resource slug")
    return mentions


def candidates(body: str) -> list[Candidate]:
    """The capitalised words of the body that name something (see the module docstring)."""
    lower_words = {m.group(0) for m in _WORD.finditer(body) if m.group(0)[0].islower()}
    found = []
    for match in _WORD.finditer(body):
        word, start = match.group(0), match.start()
        if not word[0].isupper() or (start > 0 and body[start - 1] == "["):
            continue
        sentence_start = bool(_SENTENCE_END.search(body[max(0, start - 6) : start]))
        if sentence_start and word.lower() in lower_words:
            continue
        found.append(Candidate(word, start, match.end()))
    return found


def coverage(body: str, mentions: list[Mention]) -> Coverage:
    """Match candidates against every occurrence of every listed surface."""
    covered = [False] * len(body)
    unused = []
    for mention in mentions:
        hits = [m.start() for m in re.finditer(re.escape(mention.surface), body)]
        if not hits:
            unused.append(mention)
        for hit in hits:
            covered[hit : hit + len(mention.surface)] = [True] * len(mention.surface)
    found = candidates(body)
    uncovered = [c for c in found if not all(covered[c.start : c.end])]
    return Coverage(found, uncovered, mentions, unused)
