"""How good a draft is: precision and recall against a document's curated graph.

The draft of a curated document is made against the rest of the graph (every other document,
the background, the document's own record), so it cannot find the curated answers by name. It is
then compared with what a person wrote:

- quotations: the quoted texts (exact strings); of those found, how many got the curated speaker;
- mentions: every proper-name word of the body (the candidates of the mentions check); a word
  the curated file links is found when the draft links it to the same resource, or proposes a
  new entity where the curated resource was new to the rest of the graph; a word the draft links
  but the curated file ignores is a false positive;
- dates: distinct (phrase, date) pairs; the curated ones are the stated and relative dates whose
  phrase the text has verbatim; a drafted pair matches a curated one with the same date whose
  phrase contains the drafted phrase (without a leading preposition, ignoring case): "2007"
  matches "his 2007 book".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Graph
from rdflib.namespace import RDF

from treatygraph.corpus.documents import DocumentText
from treatygraph.corpus.mentions import Mention, candidates
from treatygraph.corpus.proposals import DateProposal, MentionProposal, QuoteProposal
from treatygraph.rdf.iris import TG, slug_of


@dataclass(frozen=True)
class Score:
    """Precision and recall of one kind of proposal, with the counts behind them."""

    right: int  #: proposals that match the curated graph
    proposed: int
    recalled: int  #: curated items that some proposal matches
    curated: int

    @property
    def precision(self) -> float | None:
        return self.right / self.proposed if self.proposed else None

    @property
    def recall(self) -> float | None:
        return self.recalled / self.curated if self.curated else None

    def show(self) -> str:
        if not self.proposed and not self.curated:
            return "n/a (none in the text)"

        def pct(value: float | None) -> str:
            return "n/a" if value is None else f"{value:.0%}"

        return (
            f"precision {pct(self.precision)} ({self.right}/{self.proposed}), "
            f"recall {pct(self.recall)} ({self.recalled}/{self.curated})"
        )


def score_quotes(proposals: list[QuoteProposal], graph: Graph) -> tuple[Score, Score]:
    """Quotation texts found, and speakers right among the quotations found."""
    curated: dict[str, set[str]] = {}
    for quote in graph.subjects(RDF.type, TG.Quotation):
        text = str(graph.value(quote, TG.quotedText))
        speaker = graph.value(quote, TG.speaker)
        curated.setdefault(text, set()).add(slug_of(str(speaker)) or "")
    texts = {p.text for p in proposals}
    found = texts & set(curated)
    right = sum(1 for p in proposals if p.text in curated and p.speaker in curated[p.text])
    speakers = Score(right, len(found), right, len(found))
    return Score(len(found), len(texts), len(found), len(curated)), speakers


def curated_words(body: str, mentions: list[Mention]) -> dict[int, str | None]:
    """Each candidate word's curated resource (None: ignored), from the longest surface over it."""
    covering: dict[int, tuple[int, str | None]] = {}
    for mention in mentions:
        for hit in re.finditer(re.escape(mention.surface), body):
            for i in range(hit.start(), hit.end()):
                if covering.get(i, (0, None))[0] < len(mention.surface):
                    covering[i] = (len(mention.surface), mention.slug)
    return {c.start: covering[c.start][1] for c in candidates(body) if c.start in covering}


def score_mentions(
    proposals: list[MentionProposal], body: str, mentions: list[Mention], known: set[str]
) -> Score:
    """Word-level precision and recall of the drafted links (see the module docstring)."""
    curated = curated_words(body, mentions)
    drafted: dict[int, MentionProposal] = {}
    for proposal in proposals:
        for word in candidates(body):
            if proposal.start <= word.start < proposal.end:
                drafted[word.start] = proposal
    found = proposed = 0
    for start, proposal in drafted.items():
        if proposal.kind == "ignored":
            continue
        proposed += 1
        want = curated.get(start)
        if want is None:
            continue
        if proposal.kind == "new":
            found += want not in known
        else:
            found += proposal.slug == want
    linked = sum(1 for slug in curated.values() if slug is not None)
    return Score(found, proposed, found, linked)


def _phrase(value: str) -> str:
    value = re.sub(r"^(?:on|in|since|by|effective|from|until|at) ", "", value.strip(), flags=re.I)
    return value.lower()


def score_dates(proposals: list[DateProposal], graph: Graph, text: DocumentText) -> Score:
    """Distinct (phrase, date) pairs found among the curated stated and relative dates."""
    curated = set()
    for fact, phrase in graph.subject_objects(TG.datePhrase):
        basis = graph.value(fact, TG.dateBasis)
        if basis not in (TG.StatedDate, TG.RelativeToPublication) or str(phrase) not in text.body:
            continue
        for predicate in (TG.date, TG.startDate, TG.endDate, TG.attestedOn):
            value = graph.value(fact, predicate)
            if value is not None:
                curated.add((_phrase(str(phrase)), str(value)))
                break
    drafted = {(_phrase(p.phrase), p.value) for p in proposals}

    def same(d: tuple[str, str], c: tuple[str, str]) -> bool:
        return d[1] == c[1] and re.search(rf"\b{re.escape(d[0])}\b", c[0]) is not None

    right = sum(1 for d in drafted if any(same(d, c) for c in curated))
    recalled = sum(1 for c in curated if any(same(d, c) for d in drafted))
    return Score(right, len(drafted), recalled, len(curated))


__all__ = ["Score", "curated_words", "score_dates", "score_mentions", "score_quotes"]
